# Folder "_sumber" diabaikan oleh Lentera saat impor. Jalankan: python3 _sumber/buat-lampiran.py
# Memerlukan: openpyxl, fpdf2 dan font DejaVu Sans (fonts-dejavu-core). Data acak memakai seed tetap, jadi hasilnya sama.
"""Lampiran kursus keamanan-informasi-pdp: daftar periksa PDF dan templat log insiden CSV."""
import csv, os
from fpdf import FPDF

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lampiran")
os.makedirs(OUT, exist_ok=True)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONTB = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

NAVY = (27, 42, 65)
RED = (200, 85, 61)
GREEN = (60, 157, 93)


class PDF(FPDF):
    def header(self):
        self.set_fill_color(*NAVY)
        self.rect(0, 0, 210, 14, "F")
        self.set_font("DV", "B", 9)
        self.set_text_color(255, 255, 255)
        self.set_xy(12, 4)
        self.cell(0, 6, "Lentera · Keamanan Informasi dan Pelindungan Data Pribadi · Lampiran")
        self.set_text_color(*NAVY)
        self.set_y(20)

    def footer(self):
        self.set_y(-12)
        self.set_font("DV", "", 8)
        self.set_text_color(110, 122, 140)
        self.cell(0, 6, f"Halaman {self.page_no()}/{{nb}} · Bukan pengganti prosedur resmi instansi; sesuaikan dengan SOP penanganan insiden yang berlaku.", align="C")


pdf = PDF(format="A4")
pdf.add_font("DV", "", FONT)
pdf.add_font("DV", "B", FONTB)
pdf.set_auto_page_break(True, margin=16)
pdf.set_margins(14, 20, 14)
pdf.alias_nb_pages()
pdf.add_page()


def title(text, size=14):
    pdf.set_font("DV", "B", size)
    pdf.multi_cell(0, 7, text, align="L", new_x="LMARGIN", new_y="NEXT")


def section(text, color=NAVY):
    pdf.ln(2)
    pdf.set_fill_color(*color)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("DV", "B", 11)
    pdf.cell(0, 7, "  " + text, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*NAVY)
    pdf.ln(1)


def check(text):
    pdf.set_font("DV", "", 9.5)
    y = pdf.get_y()
    pdf.set_draw_color(*NAVY)
    pdf.rect(pdf.l_margin + 1, y + 0.8, 3.6, 3.6)
    pdf.set_x(pdf.l_margin + 8)
    pdf.multi_cell(0, 5.2, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.4)


def field(label, lines=1):
    pdf.set_font("DV", "", 10)
    pdf.cell(70, 7, label)
    x = pdf.get_x(); y = pdf.get_y()
    pdf.set_draw_color(160, 170, 180)
    for i in range(lines):
        pdf.line(x, y + 6 + i * 7, 196, y + 6 + i * 7)
    pdf.ln(7 * lines)


title("Daftar Periksa Pelaporan Insiden Keamanan Informasi dan Data Pribadi")
pdf.set_font("DV", "", 10)
pdf.multi_cell(0, 5, "Untuk ASN di lingkungan pemerintah daerah. Gunakan saat Anda menemukan atau menyebabkan "
               "insiden: berkas salah kirim, tautan berbagi terbuka untuk umum, perangkat hilang, akun dibobol, "
               "pesan phishing yang terlanjur diklik, atau komputer yang meminta tebusan (ransomware).", new_x="LMARGIN", new_y="NEXT")

section("A. SEGERA — menit-menit pertama")
check("Tetap tenang. Jangan menyembunyikan kejadian dan jangan menunggu sampai yakin.")
check("Batasi dampak: tarik/hapus pesan untuk semua orang, tutup tautan berbagi, minta penerima menghapus berkas.")
check("Bila perangkat terinfeksi: cabut kabel jaringan/matikan Wi-Fi. Jangan mematikan paksa atau memformat ulang "
      "kecuali diminta petugas.")
check("Bila akun dibobol: ganti kata sandi dari perangkat lain yang aman dan keluar dari semua sesi.")
check("Amankan bukti: tangkapan layar, nama berkas, penerima, alamat pengirim, waktu kejadian. Jangan menghapus "
      "surat elektronik atau pesan terkait.")

section("B. LAPORKAN — segera, paling lambat pada hari yang sama", RED)
check("Laporkan kepada atasan langsung.")
check("Laporkan kepada tim tanggap insiden (CSIRT) / Diskominfo melalui kanal resmi.")
check("Bila menyangkut data pribadi: beri tahu pejabat/petugas pelindungan data pribadi di instansi.")
check("Bila menyangkut rekening atau dana: hubungi bank terkait melalui nomor resmi.")

section("C. CATAT — informasi untuk log insiden")
for t in ["Kapan insiden terjadi dan kapan diketahui (tanggal dan jam).",
          "Apa yang terjadi, di sistem/berkas/perangkat apa, dan bagaimana diketahui.",
          "Data pribadi apa yang terlibat (umum/spesifik) dan perkiraan jumlah orang terdampak.",
          "Tindakan yang sudah diambil dan oleh siapa.",
          "Kepada siapa sudah dilaporkan dan pada jam berapa."]:
    check(t)

section("D. TINDAK LANJUT — oleh pengendali (instansi)", GREEN)
check("Nilai dampak dan tetapkan apakah terjadi kegagalan pelindungan data pribadi.")
check("Siapkan pemberitahuan tertulis paling lambat 3 × 24 jam kepada subjek data pribadi dan lembaga "
      "(Pasal 46 UU No. 27 Tahun 2022), memuat: data yang terungkap; kapan dan bagaimana terungkap; "
      "upaya penanganan dan pemulihan.")
check("Pertimbangkan pemberitahuan kepada masyarakat bila diwajibkan dalam hal tertentu.")
check("Pulihkan layanan dari cadangan yang bersih; perbaiki penyebab (kata sandi, hak akses, pembaruan sistem).")
check("Evaluasi tanpa menyalahkan: catat pelajaran dan perbaiki prosedur.")

section("E. KONTAK PENTING — isi sekarang, sebelum dibutuhkan")
field("Atasan langsung")
field("Tim tanggap insiden / Diskominfo")
field("Pejabat/petugas PDP instansi")
field("Admin aplikasi yang saya gunakan")

pdf.ln(2)
pdf.set_font("DV", "", 8.5)
pdf.set_text_color(110, 122, 140)
pdf.multi_cell(0, 4.5, "Rujukan: UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi; Perpres No. 95 Tahun 2018 "
               "tentang SPBE. Dokumen ini adalah bahan ajar kursus Lentera dan boleh diperbanyak untuk keperluan "
               "dinas.", new_x="LMARGIN", new_y="NEXT")
pdf.output(os.path.join(OUT, "daftar-periksa-pelaporan-insiden.pdf"))

cols = ["no", "tanggal_jam_kejadian", "tanggal_jam_diketahui", "pelapor", "opd_unit", "jenis_insiden",
        "sistem_berkas_perangkat", "uraian_singkat", "melibatkan_data_pribadi", "jenis_data_pribadi",
        "kategori_data", "perkiraan_jumlah_subjek", "tindakan_awal", "dilaporkan_kepada",
        "tanggal_jam_dilaporkan", "batas_pemberitahuan_3x24_jam", "status", "catatan"]
contoh = ["1", "2025-03-04 10:00", "2025-03-04 10:15", "Operator layanan (contoh fiktif)", "Puskesmas X",
          "Salah kirim berkas", "Spreadsheet rekap pasien", "Berkas terkirim ke grup WhatsApp warga",
          "ya", "nama; NIK; diagnosis", "spesifik (kesehatan)", "300",
          "Pesan dihapus untuk semua; admin grup diminta menghapus; tangkapan layar disimpan",
          "Kepala Puskesmas; Diskominfo", "2025-03-04 10:40", "2025-03-07 10:15", "ditangani",
          "Contoh pengisian; hapus baris ini sebelum dipakai"]
with open(os.path.join(OUT, "log-insiden-templat.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(cols)
    w.writerow(contoh)
print("ok")
