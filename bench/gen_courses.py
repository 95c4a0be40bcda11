"""Synthetic course folders for benchmarks. `big DIR N`: one course with N lessons;
`many DIR N`: N small courses with varied Indonesian titles."""
import os, random, sys

WORDS = ("keamanan data layanan publik spreadsheet pelatihan digital anggaran kepegawaian arsip "
         "perencanaan pengadaan kesehatan pendidikan kependudukan perizinan informasi statistik "
         "kearsipan keuangan aset inspeksi audit mentoring kepemimpinan komunikasi").split()

def manifest(slug, title, jp=4):
    return (f'slug = "{slug}"\ntitle = "{title}"\nsummary = "Kursus sintetis untuk uji kinerja: {title}."\n'
            f'category = "Uji Kinerja"\nlevel = "dasar"\nlanguage = "id"\njp = {jp}\nduration_minutes = 90\n'
            f'tags = ["uji", "kinerja"]\nvisibility = "public"\nself_enrol = true\n')

def lesson(i, words):
    body = "\n\n".join(
        f"## Bagian {k}\n\n" + " ".join(random.choice(WORDS) for _ in range(words // 4)) +
        f"\n\n> [!TIP]\n> Catatan {k}.\n\n| Kolom | Nilai |\n|---|---|\n| a | {k} |"
        for k in range(4))
    return f"---\nid: pelajaran-{i:04d}\ntitle: Pelajaran {i}\n---\n\n{body}\n"

def main():
    random.seed(42)
    kind, root, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "big":
        d = os.path.join(root, "course-besar")
        for m in range(n // 50):
            os.makedirs(os.path.join(d, f"{m:02d}-modul-{m}"), exist_ok=True)
        with open(os.path.join(d, "course.toml"), "w") as f:
            f.write(manifest("course-besar", "Kursus Besar 1000 Pelajaran", 20))
        for i in range(n):
            with open(os.path.join(d, f"{i // 50:02d}-modul-{i // 50}", f"{i:04d}-pelajaran.md"), "w") as f:
                f.write(lesson(i, 600))
    else:
        for c in range(n):
            d = os.path.join(root, f"kursus-{c:05d}", "01-materi")
            os.makedirs(d, exist_ok=True)
            title = " ".join(random.choice(WORDS).capitalize() for _ in range(3)) + f" {c}"
            with open(os.path.join(root, f"kursus-{c:05d}", "course.toml"), "w") as f:
                f.write(manifest(f"kursus-{c:05d}", title))
            with open(os.path.join(d, "01-pengantar.md"), "w") as f:
                f.write(lesson(c, 40))

main()
