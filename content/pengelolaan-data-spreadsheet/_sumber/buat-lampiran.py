# Folder "_sumber" diabaikan oleh Lentera saat impor. Jalankan: python3 _sumber/buat-lampiran.py
# Memerlukan: openpyxl. Data acak memakai seed tetap, jadi hasilnya sama.
"""Membuat lampiran kursus pengelolaan-data-spreadsheet (data fiktif)."""
import csv, datetime, os, random
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Alignment, Border, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.utils import get_column_letter

random.seed(20250210)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lampiran")
os.makedirs(OUT, exist_ok=True)

OPD = [
    ("OPD01", "Sekretariat Daerah", "Setda"),
    ("OPD02", "Sekretariat DPRD", "Setwan"),
    ("OPD03", "Inspektorat", "Inspektorat"),
    ("OPD04", "Badan Perencanaan Pembangunan Daerah", "Bappeda"),
    ("OPD05", "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
    ("OPD06", "Badan Kepegawaian dan Pengembangan SDM", "BKPSDM"),
    ("OPD07", "Dinas Komunikasi dan Informatika", "Diskominfo"),
    ("OPD08", "Dinas Kesehatan", "Dinkes"),
    ("OPD09", "Dinas Sosial", "Dinsos"),
    ("OPD10", "Dinas Perhubungan", "Dishub"),
    ("OPD11", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    ("OPD12", "Kecamatan Muara Bulian", "Kec. Muara Bulian"),
]

LAKI = ["Ahmad Fauzi", "Muhammad Ridwan", "Hendra Saputra", "Yusuf Hamdani", "Rahmat Hidayat",
        "Dedi Kurniawan", "Agus Salim", "Fadli Ramadhan", "Joko Prasetyo", "Irwan Syahputra",
        "Bambang Sutrisno", "Rizky Maulana", "Andi Firmansyah", "Syamsul Bahri", "Taufik Hidayah",
        "Zulkifli Anwar", "Arif Wibowo", "Hasan Basri", "Edi Suryadi", "Raden Aditya",
        "Wahyu Nugroho", "Budi Santoso", "Iqbal Fikri", "Firdaus Alamsyah"]
PEREMPUAN = ["Siti Rahmah", "Dewi Kartika", "Fitri Handayani", "Nurhayati", "Rini Oktaviani",
             "Yuliana Sari", "Mega Puspita", "Lestari Wulandari", "Desi Ratnasari", "Aisyah Putri",
             "Nadia Safitri", "Sri Wahyuni", "Eka Marlina", "Ratna Juwita", "Intan Permata",
             "Wulan Agustina", "Rahmawati", "Indah Lestari", "Maya Anggraini", "Novita Sari",
             "Putri Ayu", "Elvi Susanti", "Rosmiati", "Tuti Alawiyah"]
random.shuffle(LAKI); random.shuffle(PEREMPUAN)
JABATAN = ["Analis Kebijakan", "Pranata Komputer", "Pengelola Keuangan", "Analis SDM Aparatur",
           "Arsiparis", "Perencana", "Auditor", "Pengadministrasi Perkantoran", "Statistisi",
           "Pranata Humas", "Penyuluh Sosial", "Kepala Subbagian Umum"]
GOL = ["II/c", "II/d", "III/a", "III/b", "III/c", "III/d", "IV/a"]

pegawai = []
seq_by_tmt = {}
for i, (kode, nama_opd, _) in enumerate(OPD):
    for j in range(4):
        female = (i * 4 + j) % 2 == 1
        nama = (PEREMPUAN if female else LAKI).pop()
        while True:
            lahir = datetime.date(random.randint(1972, 1997), random.randint(1, 12), random.randint(1, 28))
            tmt_year = lahir.year + random.randint(22, 29)
            if tmt_year <= 2021:
                break
        tmt_month = random.choice([1, 3, 4, 12])
        key = (tmt_year, tmt_month, female)
        seq_by_tmt[key] = seq_by_tmt.get(key, 0) + 1
        nip = f"{lahir:%Y%m%d}{tmt_year}{tmt_month:02d}{2 if female else 1}{seq_by_tmt[key]:03d}"
        assert len(nip) == 18
        pegawai.append(dict(nip=nip, nama=nama, jk="P" if female else "L", kode=kode,
                            jabatan=random.choice(JABATAN), gol=random.choice(GOL)))

STATUS = ["Hadir"] * 80 + ["Terlambat"] * 6 + ["Izin"] * 3 + ["Sakit"] * 3 + ["Cuti"] * 2 + \
         ["Dinas Luar"] * 5 + ["Tanpa Keterangan"] * 1
tanggal = [datetime.date(2025, 2, 10) + datetime.timedelta(days=d) for d in range(5)]
hadir = []
for t in tanggal:
    for p in pegawai:
        hadir.append(dict(tanggal=t, nip=p["nip"], kode=p["kode"], status=random.choice(STATUS)))

JENIS = [("Belanja Pegawai", (0.70, 0.77)), ("Belanja Barang dan Jasa", (0.48, 0.78)),
         ("Belanja Modal", (0.15, 0.68))]
anggaran = []
BESAR = {"OPD01": 2.0, "OPD02": 1.7, "OPD03": 0.7, "OPD04": 0.9, "OPD05": 1.3, "OPD06": 0.8,
         "OPD07": 0.9, "OPD08": 2.3, "OPD09": 0.8, "OPD10": 1.0, "OPD11": 0.7, "OPD12": 0.45}
LAJU = {"OPD01": 1.0, "OPD02": 0.97, "OPD03": 1.05, "OPD04": 1.02, "OPD05": 1.06, "OPD06": 0.99,
        "OPD07": 1.03, "OPD08": 0.93, "OPD09": 1.04, "OPD10": 0.80, "OPD11": 1.01, "OPD12": 0.95}
for kode, nama_opd, singkat in OPD:
    besar = BESAR[kode]
    for jenis, (lo, hi) in JENIS:
        if jenis == "Belanja Modal" and random.random() < 0.35:
            continue
        base = {"Belanja Pegawai": 9_000_000_000, "Belanja Barang dan Jasa": 4_500_000_000,
                "Belanja Modal": 2_000_000_000}[jenis]
        pagu = round(base * besar * random.uniform(0.7, 1.3), -6)
        laju = 1.0 if jenis == "Belanja Pegawai" else LAJU[kode]
        real = round(pagu * min(0.8, random.uniform(lo, hi) * laju), -3)
        anggaran.append(dict(tahun=2024, kode=kode, opd=nama_opd, jenis=jenis, pagu=int(pagu), real=int(real)))

# ---------------- workbook ----------------
wb = Workbook()
HEAD = Font(bold=True, color="FFFFFF")
FILL = PatternFill("solid", fgColor="1F6F8B")
NOTE = PatternFill("solid", fgColor="FFF4CC")
thin = Side(style="thin", color="BBBBBB")


def header(ws, cols, widths):
    ws.append(cols)
    for c, w in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=c)
        cell.font = HEAD; cell.fill = FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = "A2"


ws = wb.active
ws.title = "Petunjuk"
ws.column_dimensions["A"].width = 4
ws.column_dimensions["B"].width = 110
rows = [
    ("", "BUKU KERJA LATIHAN — Pengelolaan Data dengan Spreadsheet untuk ASN"),
    ("", "Kabupaten Batang Hari (semua nama, NIP dan angka di buku kerja ini FIKTIF, dibuat untuk latihan)"),
    ("", ""),
    ("", "Isi buku kerja:"),
    ("•", "Ref_OPD — daftar kode dan nama OPD (tabel referensi)."),
    ("•", "Pegawai — 48 pegawai fiktif: NIP (disimpan sebagai TEKS), nama, jenis kelamin, kode OPD, jabatan, golongan."),
    ("•", "Kehadiran — rekap apel pagi 10–14 Februari 2025, satu baris = satu pegawai pada satu tanggal (data rapi)."),
    ("•", "Anggaran — pagu dan realisasi belanja s.d. 30 September 2024 per OPD dan jenis belanja."),
    ("•", "Data_Berantakan — contoh rekap yang TIDAK rapi. Rapikan menjadi tabel yang benar (lihat pelajaran 'Tabel yang Rapi')."),
    ("•", "Kunci_Jawaban — contoh rumus untuk memeriksa hasil Anda. Kerjakan dulu sendiri sebelum membukanya."),
    ("", ""),
    ("", "Tugas latihan:"),
    ("1.", "Pegawai: tambahkan kolom 'Tanggal Lahir' dari NIP dengan =DATE(LEFT(A2;4);MID(A2;5;2);MID(A2;7;2)) dan kolom 'Cek JK' dari digit ke-15."),
    ("2.", "Pegawai: tambahkan kolom 'Nama OPD' dengan VLOOKUP atau XLOOKUP dari sheet Ref_OPD."),
    ("3.", "Kehadiran: hitung jumlah 'Hadir' dan 'Tanpa Keterangan' dengan COUNTIF; hitung persentase kehadiran (Hadir + Terlambat + Dinas Luar) per hari."),
    ("4.", "Kehadiran: buat Tabel Pivot — baris Kode OPD, kolom Status, nilai Jumlah NIP."),
    ("5.", "Anggaran: tambahkan kolom 'Persen Realisasi' (=Realisasi/Pagu) dan 'Sisa Anggaran' (=Pagu-Realisasi); beri format persen dan format Rupiah."),
    ("6.", "Anggaran: beri keterangan dengan IF: 'Perlu perhatian' bila realisasi < 50%, selain itu 'Sesuai jadwal'."),
    ("7.", "Anggaran: buat grafik batang persentase realisasi per OPD, lalu tulis 3 kalimat temuan utama."),
    ("", ""),
    ("", "Catatan: pada pengaturan bahasa Indonesia, pemisah argumen rumus biasanya titik koma (;), bukan koma (,)."),
]
for r in rows:
    ws.append(list(r))
ws["B1"].font = Font(bold=True, size=14)
ws["B2"].fill = NOTE
for r in (4, 12):
    ws.cell(row=r, column=2).font = Font(bold=True)

ws = wb.create_sheet("Ref_OPD")
header(ws, ["Kode OPD", "Nama OPD", "Singkatan"], [11, 46, 20])
for o in OPD:
    ws.append(list(o))
ws.auto_filter.ref = f"A1:C{len(OPD)+1}"

ws = wb.create_sheet("Pegawai")
header(ws, ["NIP", "Nama", "Jenis Kelamin", "Kode OPD", "Jabatan", "Golongan"], [22, 24, 14, 11, 30, 11])
for p in pegawai:
    ws.append([p["nip"], p["nama"], p["jk"], p["kode"], p["jabatan"], p["gol"]])
for r in range(2, len(pegawai) + 2):
    ws.cell(row=r, column=1).number_format = "@"
ws.auto_filter.ref = f"A1:F{len(pegawai)+1}"
dv = DataValidation(type="textLength", operator="equal", formula1="18", showErrorMessage=True,
                    errorTitle="NIP tidak sah", error="NIP harus tepat 18 karakter.",
                    showInputMessage=True, promptTitle="NIP", prompt="Ketik 18 digit NIP (disimpan sebagai teks).")
dv.add(f"A2:A{len(pegawai)+200}")
ws.add_data_validation(dv)
dv2 = DataValidation(type="list", formula1='"L,P"', showErrorMessage=True, error="Isi L atau P.")
dv2.add(f"C2:C{len(pegawai)+200}")
ws.add_data_validation(dv2)

ws = wb.create_sheet("Kehadiran")
header(ws, ["Tanggal", "NIP", "Kode OPD", "Status"], [13, 22, 11, 18])
for h in hadir:
    ws.append([h["tanggal"], h["nip"], h["kode"], h["status"]])
for r in range(2, len(hadir) + 2):
    ws.cell(row=r, column=1).number_format = "DD/MM/YYYY"
    ws.cell(row=r, column=2).number_format = "@"
ws.auto_filter.ref = f"A1:D{len(hadir)+1}"
dv3 = DataValidation(type="list", formula1='"Hadir,Terlambat,Izin,Sakit,Cuti,Dinas Luar,Tanpa Keterangan"',
                     showErrorMessage=True, errorTitle="Status tidak dikenal",
                     error="Pilih status dari daftar.")
dv3.add(f"D2:D{len(hadir)+500}")
ws.add_data_validation(dv3)

ws = wb.create_sheet("Anggaran")
header(ws, ["Tahun", "Kode OPD", "Nama OPD", "Jenis Belanja", "Pagu (Rp)", "Realisasi s.d. 30 Sep (Rp)"],
       [8, 11, 44, 24, 18, 22])
for a in anggaran:
    ws.append([a["tahun"], a["kode"], a["opd"], a["jenis"], a["pagu"], a["real"]])
for r in range(2, len(anggaran) + 2):
    for c in (5, 6):
        ws.cell(row=r, column=c).number_format = '#,##0'
ws.auto_filter.ref = f"A1:F{len(anggaran)+1}"

ws = wb.create_sheet("Data_Berantakan")
messy = [
    ["REKAP KEHADIRAN APEL — MINGGU II FEBRUARI 2025", None, None, None],
    ["(dikirim oleh beberapa OPD, digabung apa adanya)", None, None, None],
    [None, None, None, None],
    ["OPD", "Tanggal", "Hadir", "Tidak hadir"],
    ["Dinkes", "10/02/2025", "4", "0"],
    ["Dinas Kesehatan", "11 Feb 2025", "3 orang", "1 (sakit)"],
    ["dinkes ", "2025-02-12", 4, 0],
    [None, None, None, None],
    ["Dishub", "10/02/2025", 4, "-"],
    ["Dinas Perhubungan", "11-02-2025", "empat", 0],
    ["TOTAL", None, "=SUM(C5:C10)", None],
    ["Diskominfo", "10/2/25", 3, 1],
    ["Diskominfo", "10/2/25", 3, 1],
]
for r in messy:
    ws.append(r)
ws.merge_cells("A1:D1"); ws.merge_cells("A2:D2")
ws["A1"].font = Font(bold=True, size=13)
for c in range(1, 5):
    ws.cell(row=4, column=c).font = Font(bold=True)
    ws.column_dimensions[get_column_letter(c)].width = 20
ws["F4"] = "Temukan masalahnya: sel digabung, baris kosong, total di tengah data, nama OPD tidak seragam,"
ws["F5"] = "format tanggal campur aduk, angka bercampur teks, tanda '-' untuk nol, dan baris ganda."
ws["F4"].fill = NOTE; ws["F5"].fill = NOTE

ws = wb.create_sheet("Kunci_Jawaban")
ws.column_dimensions["A"].width = 42; ws.column_dimensions["B"].width = 22; ws.column_dimensions["C"].width = 60
ws.append(["Pertanyaan", "Hasil", "Rumus yang dipakai (ditulis dengan pengaturan Indonesia: pemisah titik koma)"])
for c in range(1, 4):
    ws.cell(row=1, column=c).font = HEAD; ws.cell(row=1, column=c).fill = FILL
n_h = len(hadir) + 1
n_a = len(anggaran) + 1
kunci = [
    ("Jumlah baris kehadiran", f"=COUNTA(Kehadiran!B2:B{n_h})"),
    ("Jumlah status 'Hadir'", f'=COUNTIF(Kehadiran!D2:D{n_h},"Hadir")'),
    ("Jumlah status 'Tanpa Keterangan'", f'=COUNTIF(Kehadiran!D2:D{n_h},"Tanpa Keterangan")'),
    ("Persentase hadir (Hadir+Terlambat+Dinas Luar)",
     f'=(COUNTIF(Kehadiran!D2:D{n_h},"Hadir")+COUNTIF(Kehadiran!D2:D{n_h},"Terlambat")+COUNTIF(Kehadiran!D2:D{n_h},"Dinas Luar"))/COUNTA(Kehadiran!D2:D{n_h})'),
    ("Nama pegawai ber-NIP di sel Pegawai!A2", "=VLOOKUP(Pegawai!A2,Pegawai!A2:F49,2,FALSE)"),
    ("Nama OPD untuk kode OPD07", '=VLOOKUP("OPD07",Ref_OPD!A2:B13,2,FALSE)'),
    ("Tanggal lahir dari NIP Pegawai!A2", "=DATE(LEFT(Pegawai!A2,4),MID(Pegawai!A2,5,2),MID(Pegawai!A2,7,2))"),
    ("Jenis kelamin dari NIP Pegawai!A2", '=IF(MID(Pegawai!A2,15,1)="1","L","P")'),
    ("Total pagu seluruh OPD", f"=SUM(Anggaran!E2:E{n_a})"),
    ("Total realisasi seluruh OPD", f"=SUM(Anggaran!F2:F{n_a})"),
    ("Persentase realisasi kabupaten (fiktif)", f"=SUM(Anggaran!F2:F{n_a})/SUM(Anggaran!E2:E{n_a})"),
    ("Realisasi Belanja Modal (semua OPD)", f'=SUMIF(Anggaran!D2:D{n_a},"Belanja Modal",Anggaran!F2:F{n_a})'),
    ("Rata-rata pagu per baris anggaran", f"=AVERAGE(Anggaran!E2:E{n_a})"),
]
for q, f in kunci:
    ws.append([q, f, f])
    ws.cell(row=ws.max_row, column=3).value = f.replace("=", "", 1).replace(",", ";")
ws["B5"].number_format = "0.0%"; ws["B12"].number_format = "0.0%"
for r in (10, 11, 13, 14):
    ws.cell(row=r, column=2).number_format = "#,##0"
ws["B8"].number_format = "DD/MM/YYYY"

wb.properties.title = "Latihan Pengelolaan Data OPD Kabupaten Batang Hari (fiktif)"
wb.properties.creator = "Lentera — kursus contoh"
wb.save(os.path.join(OUT, "latihan-data-opd-batanghari.xlsx"))

with open(os.path.join(OUT, "kehadiran-apel-pagi.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["tanggal", "nip", "kode_opd", "status"])
    for h in hadir:
        w.writerow([h["tanggal"].isoformat(), h["nip"], h["kode"], h["status"]])

# ringkasan untuk ditulis di pelajaran
from collections import Counter
c = Counter(h["status"] for h in hadir)
print("status", c.most_common(), len(hadir))
tp = sum(a["pagu"] for a in anggaran); tr = sum(a["real"] for a in anggaran)
print("total pagu", tp, "real", tr, tr / tp)
per = {}
for a in anggaran:
    d = per.setdefault(a["kode"], [0, 0, a["opd"]]); d[0] += a["pagu"]; d[1] += a["real"]
for k, (p, r, n) in per.items():
    print(k, n, p, r, round(100 * r / p, 1))
print(pegawai[0], pegawai[1])
for a in anggaran:
    print(a["kode"], a["jenis"], a["pagu"], a["real"], round(100*a["real"]/a["pagu"],1))
