"""Phrase banks for the FICTIONAL demo corpus (``civicposts_demo``).

Everything here is invented for the fictional account ``demo.kota.update``.
District (kecamatan) and street names are real places in Palembang; every
person, handle and phone number is fictional. Phone numbers all have the
form ``08xx-0000-xxxx`` so nobody can mistake them for real ones.
"""

from __future__ import annotations

ACCOUNT = "demo.kota.update"
ACCOUNT_FULL_NAME = "Demo Kota Update — akun fiktif"
ACCOUNT_ID = "31415926535"
ACCOUNT_BIOGRAPHY = (
    "AKUN FIKTIF untuk demo riset (civicposts). Bukan akun nyata; semua postingan, "
    "nama dan nomor di sini dibuat oleh program. Info & keluhan warga kota demo."
)
ACCOUNT_FOLLOWERS = 308_000
ACCOUNT_FOLLOWING = 412

# Kecamatan of Palembang (real names) with an approximate centre (lat, lng).
DISTRICTS: dict[str, tuple[float, float]] = {
    "Ilir Barat I": (-2.9765, 104.7380),
    "Ilir Barat II": (-2.9930, 104.7420),
    "Ilir Timur I": (-2.9800, 104.7560),
    "Ilir Timur II": (-2.9700, 104.7750),
    "Ilir Timur III": (-2.9620, 104.7860),
    "Seberang Ulu I": (-3.0120, 104.7650),
    "Seberang Ulu II": (-3.0050, 104.7900),
    "Kertapati": (-3.0200, 104.7300),
    "Plaju": (-3.0000, 104.8050),
    "Sukarami": (-2.9300, 104.7150),
    "Sako": (-2.9450, 104.8000),
    "Sematang Borang": (-2.9300, 104.8200),
    "Kemuning": (-2.9650, 104.7550),
    "Kalidoni": (-2.9500, 104.7800),
    "Bukit Kecil": (-2.9880, 104.7500),
    "Gandus": (-3.0000, 104.6950),
    "Alang-Alang Lebar": (-2.9200, 104.7000),
    "Jakabaring": (-3.0250, 104.7800),
}

# Real streets of Palembang, each with a kecamatan it runs through (approximate).
STREETS: dict[str, str] = {
    "Jl. Jenderal Sudirman": "Ilir Timur I",
    "Jl. Demang Lebar Daun": "Ilir Barat I",
    "Jl. Angkatan 45": "Ilir Barat I",
    "Jl. Kolonel H. Burlian": "Sukarami",
    "Jl. Basuki Rahmat": "Kemuning",
    "Jl. R. Soekamto": "Ilir Timur II",
    "Jl. Ahmad Yani": "Seberang Ulu II",
    "Jl. Merdeka": "Bukit Kecil",
    "Jl. Veteran": "Ilir Timur I",
    "Jl. Mayor Ruslan": "Ilir Timur I",
    "Jl. Soekarno-Hatta": "Alang-Alang Lebar",
    "Jl. Tanjung Api-Api": "Alang-Alang Lebar",
    "Jl. Mayor Salim Batubara": "Kemuning",
    "Jl. Kapten A. Rivai": "Ilir Barat I",
    "Jl. Parameswara": "Ilir Barat I",
    "Jl. KH. Azhari": "Seberang Ulu II",
    "Jl. Mataram": "Kertapati",
    "Jl. Mayjen Yusuf Singadekane": "Kertapati",
    "Jl. Sultan Mahmud Badaruddin II": "Sukarami",
    "Jl. Residen H. Abdul Rozak": "Kalidoni",
    "Jl. Pangeran Ratu": "Jakabaring",
    "Jl. Gubernur H. Bastari": "Jakabaring",
    "Jl. Kapten Robani Kadir": "Plaju",
    "Jl. DI Panjaitan": "Plaju",
    "Jl. Noerdin Pandji": "Sako",
    "Jl. Sematang Borang": "Sematang Borang",
    "Jl. Syakyakirti": "Gandus",
    "Jl. Letda Abdul Rozak": "Kalidoni",
}

# Fictional public accounts (allowlisted in config/study.yaml) and the codebook's
# official_mentioned code each stands for, with the words a caption uses for it.
OFFICIALS: dict[str, dict[str, str]] = {
    "regional_secretary": {"handle": "demo.sekda.kota", "name": "Sekda Kota Demo (fiktif)",
                           "word": "Pak Sekda"},
    "city_government": {"handle": "demo.pemkot", "name": "Pemkot Demo (fiktif)", "word": "Pemkot"},
    "public_works": {"handle": "demo.dinas.pupr", "name": "Dinas PUPR Kota Demo (fiktif)",
                     "word": "Dinas PUPR"},
    "environment_sanitation": {"handle": "demo.dinas.lh", "name": "DLHK Kota Demo (fiktif)",
                               "word": "DLHK"},
    "transport": {"handle": "demo.dishub", "name": "Dishub Kota Demo (fiktif)", "word": "Dishub"},
    "utility_company": {"handle": "demo.pln.wilayah", "name": "PLN Wilayah Demo (fiktif)",
                        "word": "PLN"},
    "police": {"handle": "", "name": "", "word": "pihak kepolisian"},
    "other_agency": {"handle": "", "name": "", "word": "BPBD"},
}
PDAM = {"handle": "demo.pdam.kota", "name": "PDAM Kota Demo (fiktif)", "word": "PDAM"}

# Which agency a complaint on each topic is addressed to.
TOPIC_AGENCY = {
    "roads": "public_works",
    "flooding_drainage": "public_works",
    "waste": "environment_sanitation",
    "traffic_parking": "transport",
    "street_lighting": "public_works",
    "utilities": "utility_company",
    "public_facilities": "city_government",
    "security": "police",
    "admin_services": "city_government",
    "other": "city_government",
}

COMPLAINT_TOPICS = ("roads", "flooding_drainage", "waste", "traffic_parking", "street_lighting",
                    "utilities", "public_facilities", "security", "admin_services")

# Complaint sentences per topic: {street}, {district}, {days} are filled in.
COMPLAINT_PHRASES: dict[str, list[str]] = {
    "roads": [
        "jalan berlubang di {street} makin parah, sdh {days} bulan gk diperbaiki",
        "jln rusak bgt di {street} kec. {district}, banyak motor jatuh",
        "aspal {street} ngelupas, kalo malem gelap lubangnya gk keliatan",
        "tolong jalan2 di {district} diperbaiki, lubangnya dalem bgt",
        "jalan di {street} bergelombang dan berlubang, sudah ditambal tp rusak lagi",
    ],
    "flooding_drainage": [
        "{street} banjir lagi setelah hujan, air masuk ke rumah warga",
        "got di {district} mampet, tiap hujan dikit langsung tergenang",
        "drainase {street} tersumbat sampah, air gk ngalir",
        "genangan setinggi lutut di {street}, motor2 pada mogok",
        "banjir di {district} udah {days} hari gk surut2",
    ],
    "waste": [
        "sampah numpuk di pinggir {street}, baunya gk nahan",
        "TPS di {district} penuh, sdh {days} hari gk diangkut",
        "warga buang sampah sembarangan di {street}, tolong ditertibkan",
        "tumpukan sampah di {district} sampe ke badan jalan",
    ],
    "traffic_parking": [
        "macet parah di {street} tiap sore, lampu merahnya kelamaan",
        "parkir liar di {street} bikin jalan sempit",
        "lampu lalu lintas di {street} mati, semrawut bgt",
        "truk besar lewat {street} jam sibuk, macettt",
    ],
    "street_lighting": [
        "lampu jalan di {street} mati sdh {days} minggu, gelap gulita",
        "PJU di {district} banyak yg padam, rawan kalo malem",
        "tiang lampu jalan di {street} miring mau roboh",
    ],
    "utilities": [
        "air PDAM di {district} mati sdh {days} hari, gk ada pemberitahuan",
        "listrik padam terus di {district}, sehari bisa 3x",
        "air PDAM keruh bgt di {street}",
        "pipa PDAM bocor di {street}, air muncrat ke jalan",
        "kabel listrik menjuntai rendah di {street}, bahaya",
    ],
    "public_facilities": [
        "taman di {district} gk terawat, rumputnya tinggi2",
        "halte di {street} rusak, atapnya bocor",
        "toilet umum di {district} kotor dan gk ada air",
        "trotoar {street} rusak, pejalan kaki terpaksa turun ke jalan",
    ],
    "security": [
        "rawan begal di {street} kalo malem, tolong patroli",
        "balap liar tiap malem minggu di {street}, berisik dan bahaya",
        "ada aksi jambret di {district} kemarin, warga resah",
    ],
    "admin_services": [
        "urus KTP di kecamatan {district} antri dari pagi blm selesai2",
        "pelayanan KK di kelurahan {district} lambat bgt",
        "sdh {days} minggu akta kelahiran blm jadi, tolong dibantu",
    ],
}

COMPLAINT_OPENERS = [
    "Kiriman dari @{citizen}:", "Dari DM:", "Info dari DM warga:", "Keluhan warga (dari DM):",
    "Kiriman warga @{citizen}", "Min, tolong diposting ya.", "DM dari warga {district}:",
]
COMPLAINT_CLOSERS = [
    "Mohon perhatian {agency}.", "Tolong {agency} segera ditindaklanjuti.",
    "Semoga cepet ditanggapi.", "Kapan diperbaikinya ini?", "Warga udah capek laporrr.",
    "Mohon bantuannya min.", "",
]
ACKNOWLEDGED_LINES = [
    "Update: laporan ini sdh direspon {agency}, katanya akan dicek ke lokasi.",
    "Update: {agency} membalas DM, laporan sudah diteruskan ke petugas.",
]

NEWS_PHRASES: dict[str, list[str]] = {
    "roads": ["Proyek pelebaran {street} mulai dikerjakan minggu ini, pengendara diimbau hati-hati.",
              "Perbaikan jembatan di {district} ditargetkan selesai akhir bulan."],
    "flooding_drainage": ["BMKG memprakirakan hujan lebat sore ini, warga {district} diimbau waspada banjir.",
                          "Normalisasi sungai di {district} dijadwalkan pekan depan."],
    "waste": ["Jadwal angkut sampah di {district} berubah mulai Senin.",
              "Gerakan bersih2 sungai digelar di {district} hari Minggu."],
    "traffic_parking": ["Ada rekayasa lalu lintas di {street} selama acara akhir pekan.",
                        "Kecelakaan beruntun di {street} pagi ini, arus lalin tersendat."],
    "utilities": ["Pemadaman listrik terjadwal di {district} besok pukul 09.00–15.00 WIB.",
                  "Gangguan distribusi air PDAM di {district} karena perbaikan pipa."],
    "public_facilities": ["Taman baru di {district} dibuka untuk umum mulai hari ini.",
                          "Pasar di {district} direnovasi, pedagang dipindah sementara."],
    "security": ["Polisi mengamankan pelaku curanmor di {district}.",
                 "Kebakaran melanda rumah warga di {district}, tidak ada korban jiwa."],
    "admin_services": ["Pelayanan Disdukcapil buka di hari Sabtu selama bulan ini.",
                       "Pendaftaran bantuan sosial di kelurahan {district} diperpanjang."],
    "other": ["Cuaca cerah berawan hari ini di kota demo.",
              "Festival kuliner pempek digelar di {district} akhir pekan ini.",
              "Jadwal vaksinasi gratis di puskesmas {district} minggu ini.",
              "Info lowongan kerja di {district}, cek story ya.",
              "Lomba 17-an antar RT di {district} meriah bgt."],
}
NEWS_OPENERS = ["INFO:", "[INFO]", "Info terkini:", "Kabar {district}:", "Update hari ini:", ""]

FOLLOWUP_TEMPLATES = [
    "Menindaklanjuti keluhan warga soal {issue} di {street} (postingan {date}), {official} turun langsung "
    "meninjau lokasi. {result}",
    "UPDATE: keluhan {issue} di {street} yang kami posting {date} sudah direspon {official}. {result}",
    "Alhamdulillah, {issue} di {street} (postingan {date}) {result} Terima kasih {official}.",
    "Respon cepat! Setelah viral postingan {date} soal {issue} di {district}, {official} {result}",
]
ISSUE_WORDS = {
    "roads": "jalan berlubang", "flooding_drainage": "banjir dan drainase tersumbat",
    "waste": "tumpukan sampah", "traffic_parking": "kemacetan dan parkir liar",
    "street_lighting": "lampu jalan mati", "utilities": "gangguan air/listrik",
    "public_facilities": "fasilitas umum rusak", "security": "gangguan keamanan",
    "admin_services": "pelayanan administrasi", "other": "keluhan warga",
}
RESULT_ACTION = [
    "Petugas mulai bekerja hari ini.", "Perbaikan sedang dikerjakan.",
    "Alat berat sudah diturunkan ke lokasi.", "Petugas dijadwalkan menangani minggu ini.",
]
RESULT_RESOLVED = [
    "Sekarang sudah beres diperbaiki 👍", "sudah selesai ditangani, warga senang.",
    "kini sudah normal kembali.", "sudah bersih dan rapi lagi ✅",
]
RESULT_ACK = [
    "Laporan sudah diterima dan akan ditinjau.", "Pihak terkait berjanji segera menindaklanjuti.",
]

PROMO_TEMPLATES = [
    "PAID PROMOTE 📢 {product} enak dan murah! Open order, WA {phone}. Lokasi {district}.",
    "Open order {product}!! Bisa COD se-kota demo. Order via WA {phone} ya kak.",
    "[Endorse] {product} lagi diskon 20% minggu ini 😍 info lanjut DM @{shop}.",
    "Paid promote: {product} ready stock, siap antar. WA {phone}.",
]
PRODUCTS = ["pempek kapal selam", "tekwan frozen", "kemplang", "jasa servis AC", "baju gamis",
            "laundry kiloan", "kue basah", "kursus bahasa Inggris", "sambal botol", "helm bogo"]

OTHER_PHRASES = [
    "Selamat pagi warga kota demo! Semangat beraktivitas ☀️",
    "Foto senja di Jembatan Ampera dari kiriman follower 😍",
    "Selamat hari Jumat, jangan lupa bersyukur.",
    "Quiz: menurut kalian pempek paling enak di kecamatan mana? Komen di bawah 👇",
    "Throwback suasana {district} tahun lalu.",
    "Giveaway kecil2an buat follower setia, cek story!",
    "Selamat Hari Raya, mohon maaf lahir dan batin 🙏",
]

HASHTAGS_COMMON = ["#palembang", "#infopalembang", "#kotademo", "#demokotaupdate"]
HASHTAGS_TOPIC = {
    "roads": ["#jalanrusak", "#keluhanwarga"], "flooding_drainage": ["#banjirpalembang", "#keluhanwarga"],
    "waste": ["#sampah", "#keluhanwarga"], "traffic_parking": ["#macet", "#infolalin"],
    "street_lighting": ["#keluhanwarga"], "utilities": ["#pdam", "#pln", "#keluhanwarga"],
    "public_facilities": ["#fasilitasumum"], "security": ["#waspada"],
    "admin_services": ["#pelayananpublik"], "other": ["#infokota"],
}

EMOJI_ANGRY = ["😡", "😤", "🙏", "😭", "⚠️", "😩", "🤦"]
EMOJI_GOOD = ["👍", "🙏", "✅", "👏", "😊"]

# Informal spellings (slang) used to roughen captions and comments.
SLANG = {
    "sudah": "sdh", "jalan": "jln", "tidak": "tdk", "yang": "yg", "banget": "bgt", "gak": "gk",
    "tolong": "tlg", "belum": "blm", "dengan": "dgn", "karena": "krn", "sampai": "smpe",
}

COMMENT_COMPLAINT = [
    "bener bgt min, di sini jg sama", "parahhh, tiap hari lewat situ", "tolong lah pak 🙏",
    "udah dari tahun lalu kayak gini", "semoga cepet diperbaiki2", "mantap min, viralkan!",
    "di tempat aku jg {topic_word}, gk ada yg peduli", "kemarin aku hampir jatoh di situ 😭",
    "sdh lapor RT tp blm ada tindakan", "tag pejabatnya min biar dibaca",
]
COMMENT_FOLLOWUP = ["alhamdulillah akhirnya 👍", "mantap pak, gercep", "terima kasih pak 🙏",
                    "yg di tempat kami kapan pak?", "semoga awet ya", "nah gini dong"]
COMMENT_OTHER = ["info yg bermanfaat min", "mantap", "😂😂", "wah baru tau", "lokasinya dimana min?",
                 "ikut nyimak", "makasih infonya"]
COMMENT_WITH_PHONE = [
    "yg mau jasa sedot WC hub {phone} ya", "min ada yg jual rumah di sini? kontak aku {phone}",
    "kalo ada info lowongan WA aku {phone}", "jual pempek frozen, WA {phone}",
]
OFFICIAL_REPLIES = ["Terima kasih laporannya, segera kami tindak lanjuti.",
                    "Laporan sudah kami teruskan ke petugas lapangan.",
                    "Mohon kirim titik lokasi lengkap via DM, terima kasih."]

# Syllables for fictional citizens' handles.
SYLLABLES = ["an", "di", "ri", "na", "ma", "sa", "to", "ra", "wi", "ka", "ni", "yu", "de", "fi",
             "ha", "li", "ta", "ya", "bu", "ja", "ko", "ze", "pu", "go"]

# Details that make captions differ from one another (places, times, consequences).
LANDMARKS = [
    "depan SD Negeri {n}", "dekat Masjid {masjid}", "simpang {street2}", "gang {gang} RT {rt}",
    "dekat Pasar {pasar}", "samping puskesmas {district}", "depan kantor lurah", "dekat halte {street2}",
    "komplek perumahan {perum} blok {blok}", "ujung jalan dekat jembatan", "lampu merah {street2}",
    "depan SMP Negeri {n}", "belakang kantor camat {district}", "lorong {gang} no. {no}",
]
MASJID = ["Al-Ikhlas", "Nurul Iman", "Al-Falah", "Baitul Makmur", "At-Taqwa", "Al-Hidayah", "Darussalam"]
PASAR = ["Kuto", "Lemabang", "Km 5", "Cinde", "Sekanak", "Perumnas", "Soak Bato"]
GANG = ["Mawar", "Melati", "Kenanga", "Sepakat", "Damai", "Rukun", "Swadaya", "Keluarga", "Sukajadi", "Bersama"]
PERUM = ["Griya Asri", "Bukit Indah", "Permata Hijau", "Villa Mutiara", "Taman Sari"]
TIME_DETAILS = [
    "dari {n} hari yg lalu", "sejak awal bulan", "udh dari bulan {month} kemarin", "tiap habis hujan",
    "tiap pagi jam {h}an", "sampe sekarang", "padahal sdh lapor ke RT", "kemarin sore jam {h2}",
    "udah {n} minggu", "dari zaman sebelum lebaran",
]
CONSEQUENCES = [
    "anak2 sekolah susah lewat", "pedagang di sekitar jadi sepi pembeli", "udah ada {n} orang yg jatuh",
    "warga terpaksa muter jauh", "ambulans aja susah lewat", "banyak lansia di sini, kasian",
    "bau dan banyak nyamuk", "motor sering mogok", "takut ada korban", "warga udah gotong royong tp gk cukup",
    "ojol pada ogah lewat sini", "tiap hari was2",
]
NEWS_EXTRAS = [
    "Warga diimbau tetap waspada.", "Tetap hati2 ya lur.", "Info dari follower @{citizen}.",
    "Sumber: warga sekitar.", "Pantau terus info terbaru di akun ini.", "Bagikan ke keluarga ya.",
    "Semoga bermanfaat.", "Ada info lain? DM kami.", "", "",
]
OTHER_EXTRAS = ["📷 kiriman @{citizen}", "Hari ini {day}, {d}/{m}.", "Follower ke-{n}rb, makasih semua!",
                "Tag temanmu di kolom komentar.", "", "Selamat beraktivitas."]
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember"]
FOLLOWUP_EXTRAS = ["{n} petugas dikerahkan ke lokasi ({spot}).", "Lokasi: {spot}.",
                   "Pantauan pukul {h}.{mm} WIB di {spot}.", "Titik yang dikeluhkan: {spot}."]
PROMO_FEATURES = [
    "Gratis ongkir se-{district}.", "Bisa pre-order {n} hari.", "Buka jam {h}.00–{h2}.00 WIB.",
    "Ready {n} varian rasa.", "Bisa kirim ke luar kota.", "Beli {n} gratis 1!", "Terima pesanan hajatan.",
    "Bayar di tempat (COD).", "Testimoni cek highlight IG kami.", "Stok terbatas, buruan!",
]
OTHER_MORE = [
    "Kalian lagi di mana sekarang? 👀", "Yang masih kerja semangat ya!", "Jangan lupa sarapan.",
    "Ada yg ingat tempat ini?", "Komen kecamatan kalian di bawah.", "Hujan2 gini enaknya makan pindang 😋",
    "Minggu ceria di {district}.", "Cuaca hari ini: {weather}.",
]
WEATHER = ["cerah", "berawan", "hujan ringan", "hujan lebat sore", "panas terik", "mendung"]
