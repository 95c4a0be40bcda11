# Folder "_sumber" diabaikan oleh Lentera saat impor. Jalankan: python3 _sumber/buat-lampiran.py
# Memerlukan: openpyxl. Data acak memakai seed tetap, jadi hasilnya sama.
"""Lampiran kursus layanan-publik-digital-spbe: templat rancangan layanan (.xlsx) dan standar pelayanan (.csv)."""
import csv, os, random
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Alignment
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.utils import get_column_letter

random.seed(2017)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lampiran")
os.makedirs(OUT, exist_ok=True)

HEAD = Font(bold=True, color="FFFFFF")
FILL = PatternFill("solid", fgColor="6B3FA0")
NOTE = PatternFill("solid", fgColor="FFF4CC")
ISI = PatternFill("solid", fgColor="EAF4EA")
WRAP = Alignment(wrap_text=True, vertical="top")


def header(ws, cols, widths):
    ws.append(cols)
    for c, w in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=c)
        cell.font = HEAD; cell.fill = FILL; cell.alignment = WRAP
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = "A2"


def wrap_all(ws):
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP


KOMPONEN = [
    ("Dasar hukum", "Peraturan apa yang menjadi dasar layanan ini?",
     "UU No. 14 Tahun 2008 tentang Keterbukaan Informasi Publik dan peraturan pelaksanaannya; keputusan kepala daerah tentang PPID"),
    ("Persyaratan", "Dokumen/data apa yang benar-benar diperlukan? Adakah yang sudah dimiliki pemerintah?",
     "Identitas pemohon; rincian informasi yang diminta; tujuan penggunaan informasi; cara memperoleh dan cara mendapatkan salinan"),
    ("Sistem, mekanisme, dan prosedur", "Apa langkah-langkahnya dari pengajuan sampai produk diterima? (lihat sheet Peta_Proses)",
     "Ajukan daring atau di meja layanan → registrasi dan nomor permohonan → penelusuran informasi oleh OPD → keputusan → penyampaian jawaban"),
    ("Jangka waktu penyelesaian", "Berapa lama paling lama sejak berkas lengkap?",
     "Paling lama 10 hari kerja sejak permohonan diterima, dapat diperpanjang paling lama 7 hari kerja dengan pemberitahuan tertulis"),
    ("Biaya/tarif", "Gratis atau berbayar? Apa dasar hukumnya?",
     "Tanpa biaya; biaya penggandaan/pengiriman salinan fisik (bila ada) sesuai ketentuan"),
    ("Produk pelayanan", "Apa yang diterima pemohon?",
     "Informasi publik yang diminta atau surat pemberitahuan tertulis (termasuk bila informasi dikecualikan, beserta alasannya)"),
    ("Sarana, prasarana, dan/atau fasilitas", "Kanal dan fasilitas apa yang disediakan? Ramah kelompok rentan?",
     "Formulir daring yang ringan di ponsel; meja layanan; kursi roda dan jalur landai; nomor WhatsApp resmi untuk notifikasi"),
    ("Kompetensi pelaksana", "Pengetahuan dan keterampilan apa yang dibutuhkan petugas?",
     "Memahami UU KIP dan UU PDP; mampu mengklasifikasi informasi; komunikasi pelayanan"),
    ("Pengawasan internal", "Siapa yang mengawasi dan bagaimana?",
     "Atasan langsung dan atasan PPID; pemantauan bulanan dasbor permohonan"),
    ("Penanganan pengaduan, saran, dan masukan", "Ke mana warga mengadu dan berapa lama ditanggapi?",
     "SP4N-LAPOR!, formulir pengaduan di laman layanan, kotak saran; keberatan kepada atasan PPID sesuai UU KIP"),
    ("Jumlah pelaksana", "Berapa petugas yang diperlukan?",
     "Contoh: 2 petugas meja layanan dan 1 admin layanan daring"),
    ("Jaminan pelayanan", "Apa jaminan bahwa layanan sesuai standar?",
     "Maklumat pelayanan yang dipublikasikan; nomor permohonan yang dapat dilacak"),
    ("Jaminan keamanan dan keselamatan pelayanan", "Bagaimana keamanan data dan keselamatan pemohon dijamin?",
     "Data pemohon hanya untuk memproses permohonan; akses terbatas; tidak meminta data yang tidak perlu"),
    ("Evaluasi kinerja pelaksana", "Bagaimana kinerja diukur dan dievaluasi?",
     "Persentase permohonan selesai tepat waktu; Survei Kepuasan Masyarakat minimal sekali setahun"),
]

UNSUR = ["U1 Persyaratan", "U2 Sistem, mekanisme, dan prosedur", "U3 Waktu penyelesaian", "U4 Biaya/tarif",
         "U5 Produk spesifikasi jenis pelayanan", "U6 Kompetensi pelaksana", "U7 Perilaku pelaksana",
         "U8 Penanganan pengaduan, saran dan masukan", "U9 Sarana dan prasarana"]
# peluang jawaban 1..4 per unsur (data fiktif)
PROFIL = [(0.02, 0.12, 0.56, 0.30), (0.04, 0.20, 0.56, 0.20), (0.06, 0.28, 0.50, 0.16), (0.0, 0.02, 0.30, 0.68),
          (0.02, 0.10, 0.60, 0.28), (0.0, 0.08, 0.56, 0.36), (0.0, 0.04, 0.50, 0.46), (0.06, 0.30, 0.48, 0.16),
          (0.04, 0.20, 0.56, 0.20)]
N_RESP = 50
jawab = []
for r in range(N_RESP):
    row = []
    for p in PROFIL:
        row.append(random.choices([1, 2, 3, 4], weights=p)[0])
    jawab.append(row)

wb = Workbook()
ws = wb.active
ws.title = "Petunjuk"
ws.column_dimensions["A"].width = 4; ws.column_dimensions["B"].width = 110
rows = [
    ("", "TEMPLAT RANCANGAN LAYANAN PUBLIK DARING — kursus Lentera 'Layanan Publik Digital dan SPBE'"),
    ("", "Contoh pengisian: layanan Permohonan Informasi Publik (PPID). Semua angka survei di buku kerja ini FIKTIF."),
    ("", ""),
    ("", "Cara memakai:"),
    ("1.", "Standar_Pelayanan — isi 14 komponen standar pelayanan (Pasal 21 UU No. 25 Tahun 2009). Kolom hijau adalah isian; contoh sudah diisi."),
    ("2.", "Peta_Proses — tulis langkah layanan saat ini (as-is), lalu rancangan baru (to-be). Catat waktu dan masalah tiap langkah."),
    ("3.", "Formulir_Data — daftar setiap isian formulir daring. Hapus isian yang tidak punya alasan kuat (prinsip pelindungan data pribadi)."),
    ("4.", "Indikator — tetapkan indikator kinerja layanan, targetnya dan cara mengukurnya."),
    ("5.", "SKM_Data dan SKM_Hasil — contoh perhitungan Indeks Kepuasan Masyarakat (PermenPANRB No. 14 Tahun 2017) untuk 50 responden fiktif."),
    ("", ""),
    ("", "Catatan: kosongkan kolom contoh dan ganti dengan data layanan Anda. Rumus di SKM_Hasil menyesuaikan otomatis bila baris responden ditambah sampai baris 501."),
]
for r in rows:
    ws.append(list(r))
ws["B1"].font = Font(bold=True, size=14); ws["B2"].fill = NOTE; ws["B4"].font = Font(bold=True)
for r in range(1, ws.max_row + 1):
    ws.cell(row=r, column=2).alignment = Alignment(wrap_text=True)

ws = wb.create_sheet("Standar_Pelayanan")
header(ws, ["No", "Komponen standar pelayanan", "Pertanyaan panduan", "Isian (contoh: Permohonan Informasi Publik)"],
       [5, 30, 50, 70])
for i, (k, q, isi) in enumerate(KOMPONEN, start=1):
    ws.append([i, k, q, isi])
    ws.cell(row=i + 1, column=4).fill = ISI
wrap_all(ws)

ws = wb.create_sheet("Peta_Proses")
header(ws, ["Versi", "No", "Langkah", "Pelaku", "Masukan", "Keluaran", "Waktu", "Kanal", "Masalah / catatan"],
       [9, 5, 34, 18, 24, 24, 12, 16, 40])
proses = [
    ("as-is", 1, "Pemohon datang ke kantor dan mengisi formulir kertas", "Pemohon", "KTP, formulir", "Formulir terisi", "1 hari", "tatap muka", "Pemohon dari Kecamatan Batin XXIV harus menempuh perjalanan jauh"),
    ("as-is", 2, "Petugas mencatat di buku register", "Petugas PPID", "Formulir", "Nomor register", "15 menit", "manual", "Register sulit dicari; tidak ada nomor lacak"),
    ("as-is", 3, "Surat diteruskan ke OPD pemilik informasi", "Petugas PPID", "Disposisi", "Surat disposisi", "2–3 hari", "kurir", "Disposisi fisik sering tertahan"),
    ("as-is", 4, "OPD menelusuri informasi dan menjawab", "PPID pelaksana OPD", "Disposisi", "Jawaban", "3–7 hari", "surat", ""),
    ("as-is", 5, "Pemohon mengambil jawaban di kantor", "Pemohon", "—", "Informasi", "1 hari", "tatap muka", "Pemohon harus datang lagi"),
    ("to-be", 1, "Pemohon mengisi formulir daring atau dibantu di meja layanan", "Pemohon", "Isian minimal", "Permohonan + nomor lacak", "10 menit", "web / meja layanan", "Formulir ringan, bisa di ponsel"),
    ("to-be", 2, "Sistem meneruskan otomatis ke OPD pemilik informasi", "Sistem", "Permohonan", "Tugas di dasbor OPD", "otomatis", "aplikasi", "Notifikasi ke pemohon"),
    ("to-be", 3, "OPD menelusuri dan mengunggah jawaban", "PPID pelaksana OPD", "Tugas", "Jawaban", "≤ 7 hari kerja", "aplikasi", "Pengingat otomatis sebelum batas waktu"),
    ("to-be", 4, "Pemohon menerima jawaban dan mengisi SKM", "Pemohon", "Notifikasi", "Informasi + survei", "—", "e-mail / WhatsApp", "Salinan fisik tetap dapat diambil bila diminta"),
]
for p in proses:
    ws.append(list(p))
wrap_all(ws)
dv = DataValidation(type="list", formula1='"as-is,to-be"'); dv.add("A2:A200"); ws.add_data_validation(dv)

ws = wb.create_sheet("Formulir_Data")
header(ws, ["Isian formulir", "Wajib?", "Tipe", "Alasan diperlukan", "Jenis data pribadi", "Sumber", "Keputusan"],
       [26, 9, 14, 46, 20, 28, 14])
form = [
    ("Nama lengkap", "ya", "teks", "Identitas pemohon pada jawaban tertulis", "umum", "pemohon", "pertahankan"),
    ("Nomor telepon/WhatsApp atau e-mail", "ya (salah satu)", "teks", "Mengirim nomor lacak, notifikasi dan jawaban", "umum (kombinasi)", "pemohon", "pertahankan"),
    ("Alamat", "tidak", "teks", "Hanya bila jawaban minta dikirim lewat pos", "umum (kombinasi)", "pemohon", "opsional"),
    ("Rincian informasi yang diminta", "ya", "teks panjang", "Inti permohonan", "—", "pemohon", "pertahankan"),
    ("Tujuan penggunaan informasi", "ya", "teks", "Disyaratkan dalam permohonan informasi publik", "—", "pemohon", "pertahankan"),
    ("Unggah foto KTP", "?", "berkas", "Identitas pemohon — pertimbangkan cukup nama dan NIK, atau verifikasi saat pengambilan", "umum; berisiko bila bocor", "pemohon", "tinjau ulang"),
    ("Agama", "tidak", "pilihan", "Tidak ada kaitan dengan layanan", "umum", "pemohon", "hapus"),
    ("Pekerjaan", "tidak", "pilihan", "Statistik pengguna — bisa ditanyakan opsional di SKM", "umum", "pemohon", "pindah ke SKM"),
]
for f in form:
    ws.append(list(f))
wrap_all(ws)
dv = DataValidation(type="list", formula1='"pertahankan,opsional,tinjau ulang,hapus,pindah ke SKM"'); dv.add("G2:G200")
ws.add_data_validation(dv)

ws = wb.create_sheet("Indikator")
header(ws, ["Indikator", "Target", "Cara mengukur", "Sumber data", "Frekuensi"], [40, 16, 46, 26, 14])
ind = [
    ("Permohonan diselesaikan dalam jangka waktu standar", "≥ 95%", "Jumlah selesai tepat waktu ÷ jumlah permohonan", "Dasbor aplikasi", "bulanan"),
    ("Rata-rata waktu penyelesaian", "≤ 7 hari kerja", "Rata-rata selisih tanggal terima dan tanggal jawab", "Dasbor aplikasi", "bulanan"),
    ("Porsi permohonan daring", "naik tiap triwulan", "Permohonan daring ÷ seluruh permohonan", "Dasbor aplikasi", "triwulanan"),
    ("Indeks Kepuasan Masyarakat (SKM)", "≥ 88,31 (mutu A)", "PermenPANRB No. 14 Tahun 2017", "Survei", "minimal tahunan"),
    ("Pengaduan ditindaklanjuti", "100%", "Pengaduan selesai ÷ pengaduan masuk", "SP4N-LAPOR! dan kanal lain", "bulanan"),
]
for r in ind:
    ws.append(list(r))
wrap_all(ws)

ws = wb.create_sheet("SKM_Data")
header(ws, ["Responden"] + UNSUR, [11] + [14] * 9)
for i, row in enumerate(jawab, start=1):
    ws.append([f"R{i:03d}"] + row)
ws.row_dimensions[1].height = 60
dv = DataValidation(type="whole", operator="between", formula1="1", formula2="4", showErrorMessage=True,
                    error="Nilai persepsi 1 sampai 4.")
dv.add("B2:J501"); ws.add_data_validation(dv)

ws = wb.create_sheet("SKM_Hasil")
header(ws, ["Unsur", "Jumlah nilai", "Jumlah responden", "NRR", "NRR tertimbang (× 0,111)"], [44, 14, 16, 10, 22])
for j, u in enumerate(UNSUR):
    col = get_column_letter(j + 2)
    r = j + 2
    ws.append([u, f"=SUM(SKM_Data!{col}2:{col}501)", f"=COUNT(SKM_Data!{col}2:{col}501)",
               f"=B{r}/C{r}", f"=D{r}*0.111"])
    ws.cell(row=r, column=4).number_format = "0.00"; ws.cell(row=r, column=5).number_format = "0.000"
ws.append([])
ws.append(["IKM (jumlah NRR tertimbang)", None, None, None, "=SUM(E2:E10)"])
ws.append(["IKM unit pelayanan (× 25)", None, None, None, "=E12*25"])
ws.append(["Mutu pelayanan", None, None, None,
           '=IF(E13>=88.31,"A (Sangat Baik)",IF(E13>=76.61,"B (Baik)",IF(E13>=65,"C (Kurang Baik)","D (Tidak Baik)")))'])
for r in (12, 13, 14):
    ws.cell(row=r, column=1).font = Font(bold=True)
ws["E12"].number_format = "0.000"; ws["E13"].number_format = "0.00"
ws.append([])
ws.append(["Interval konversi (PermenPANRB 14/2017): A 88,31–100,00 · B 76,61–88,30 · C 65,00–76,60 · D 25,00–64,99"])
ws.cell(row=ws.max_row, column=1).fill = NOTE

wb.properties.title = "Templat Rancangan Layanan Publik Daring"
wb.properties.creator = "Lentera — kursus contoh"
wb.save(os.path.join(OUT, "templat-rancangan-layanan.xlsx"))

with open(os.path.join(OUT, "templat-standar-pelayanan.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["no", "komponen", "pertanyaan_panduan", "isian"])
    for i, (k, q, _) in enumerate(KOMPONEN, start=1):
        w.writerow([i, k, q, ""])

# hasil untuk pelajaran
tot = 0
for j, u in enumerate(UNSUR):
    s = sum(r[j] for r in jawab); nrr = s / N_RESP
    tot += nrr * 0.111
    print(f"{u}: sum={s} NRR={nrr:.2f} tertimbang={nrr*0.111:.3f}")
print("IKM", round(tot, 3), "x25", round(tot * 25, 2))
