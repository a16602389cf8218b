"""Posts the scenario simulator draws from: complaints per topic and language, and everyday chatter.

Written the way people post: lower case, missing diacritics, slang, emojis. ``{n}`` is filled
with a small number, ``{h}`` with a handle.
"""

from __future__ import annotations

COMPLAINTS: dict[str, dict[str, list[str]]] = {
    "outage": {
        "en": [
            "is the app down?? cant log in for {n} hours now",
            "website not working again, error 503 every time. fix it",
            "@{h} your site is down and I can't pay, what is going on",
            "app keeps crashing on startup since this morning, totally unusable",
            "server outage AGAIN. cannot access my account at all 😡",
        ],
        "es": [
            "la app no funciona desde hace {n} horas, no puedo entrar",
            "@{h} la pagina esta caida otra vez, error todo el rato",
            "otra vez caida la web, no carga nada 😤",
            "no me deja iniciar sesion, la aplicacion se cierra sola",
        ],
        "ro": [
            "aplicatia nu merge de {n} ore, nu ma pot loga deloc",
            "@{h} site-ul e picat iar, da eroare la fiecare pas",
            "nu functioneaza aplicatia, se blocheaza la pornire",
            "iar e cazut serverul?? nu pot intra in cont",
        ],
        "el": [
            "η εφαρμογή δεν λειτουργεί εδώ και {n} ώρες, δεν μπορώ να συνδεθώ",
            "@{h} το site έπεσε πάλι, βγάζει σφάλμα συνέχεια",
            "δεν δουλευει η εφαρμογη, κολλαει συνεχεια 😡",
            "πεσμενο το σαιτ παλι, δεν μπορω να μπω στον λογαριασμο",
        ],
        "id": [
            "aplikasinya error terus dari tadi pagi, gak bisa login sama sekali",
            "@{h} webnya down lagi ya? gak bisa dibuka udah {n} jam",
            "servernya down, gak bisa akses akun 😡",
            "apk force close terus, gak bisa dipake",
        ],
        "fa": [
            "اپلیکیشن از صبح کار نمیکنه، نمیتونم وارد حسابم بشم",
            "@{h} سایت دوباره از دسترس خارج شده، خطا میده",
            "سایتتون قطعه، {n} ساعته نمیتونم وارد بشم 😡",
            "برنامه مدام کرش میکنه و باز نمیشه",
        ],
    },
    "billing": {
        "en": [
            "charged twice for the same order, still waiting for my refund",
            "@{h} you took money from my card without asking. want a refund NOW",
            "double charged again 😤 where is my refund",
        ],
        "es": [
            "me cobraron dos veces el mismo pedido y no me devuelven el dinero",
            "@{h} quiero mi reembolso ya, me cobraron de mas",
        ],
        "ro": [
            "mi-au luat banii de doua ori si inca astept rambursarea",
            "@{h} vreau banii inapoi, m-ati taxat de doua ori",
        ],
        "el": [
            "με χρέωσαν δύο φορές και ακόμα περιμένω την επιστροφή χρημάτων",
            "@{h} θελω τα λεφτα μου πισω, διπλη χρεωση",
        ],
        "id": [
            "saldo kepotong dua kali, refund belum masuk juga 😤",
            "@{h} uang saya belum dikembalikan, udah {n} hari nunggu refund",
        ],
        "fa": [
            "دو بار از حسابم پول کم شد و هنوز پولم برنگشته",
            "@{h} پولمو پس بدید، دو بار ازم کسر کردید",
        ],
    },
    "delivery": {
        "en": [
            "my package never arrived, tracking hasn't moved in {n} days",
            "@{h} order still not delivered after two weeks, this is ridiculous",
            "where is my parcel?? delivery was due {n} days ago",
        ],
        "es": [
            "mi pedido nunca llego y el seguimiento no se mueve desde hace {n} dias",
            "@{h} el paquete sigue sin llegar, vaya servicio de envio",
        ],
        "ro": [
            "coletul nu a ajuns nici acum, comanda e blocata de {n} zile",
            "@{h} unde e comanda mea?? livrarea trebuia sa fie acum o saptamana",
        ],
        "el": [
            "η παραγγελία μου δεν έφτασε ποτέ, περιμένω {n} μέρες",
            "@{h} το δεμα δεν ηρθε ακομα, απαραδεκτο",
        ],
        "id": [
            "paket saya belum sampai juga, udah {n} hari gak ada update",
            "@{h} pesanan gak dateng2, kurirnya kemana sih",
        ],
        "fa": [
            "سفارشم هنوز نرسیده، {n} روزه منتظرم",
            "@{h} بسته من کجاست؟ ارسال خیلی دیر شده",
        ],
    },
    "safety": {
        "en": [
            "my charger caught fire last night, this is dangerous",
            "@{h} the battery swelled and started smoking, kids were next to it",
            "got a rash after using your cream, burning skin, is this safe??",
        ],
        "es": [
            "el cargador se incendio anoche, esto es peligroso",
            "@{h} la bateria empezo a echar humo, casi se quema la casa",
        ],
        "ro": [
            "incarcatorul a luat foc azi noapte, e periculos",
            "@{h} bateria s-a umflat si a inceput sa scoata fum",
        ],
        "el": [
            "ο φορτιστής πήρε φωτιά χθες το βράδυ, είναι επικίνδυνο",
            "@{h} η μπαταρια φουσκωσε και βγαζει καπνο",
        ],
        "id": [
            "chargernya kebakar semalam, bahaya banget",
            "@{h} baterainya menggembung dan keluar asap, ngeri",
        ],
        "fa": [
            "شارژر دیشب آتش گرفت، خیلی خطرناکه",
            "@{h} باتری باد کرد و ازش دود بلند شد",
        ],
    },
    "service": {
        "en": [
            "customer service is useless, on hold for {n} minutes and they hung up",
            "@{h} nobody answers my emails, worst support ever",
        ],
        "es": [
            "atencion al cliente pesima, {n} minutos esperando y me colgaron",
            "@{h} nadie responde a mis correos, servicio al cliente horrible",
        ],
        "ro": [
            "serviciul clienti e praf, am asteptat {n} minute si mi-au inchis",
            "@{h} nu raspunde nimeni la suport, bataie de joc",
        ],
        "el": [
            "η εξυπηρέτηση πελατών είναι χάλια, περίμενα {n} λεπτά και μου το έκλεισαν",
            "@{h} κανεις δεν απανταει στην υποστηριξη",
        ],
        "id": [
            "cs nya lambat banget, nunggu {n} menit terus ditutup",
            "@{h} customer service gak ada yang bales, parah",
        ],
        "fa": [
            "پشتیبانی اصلا جواب نمیده، {n} دقیقه پشت خط موندم",
            "@{h} خدمات مشتریان افتضاحه، کسی جواب نمیده",
        ],
    },
    "quality": {
        "en": [
            "broke after two days, cheap garbage quality",
            "@{h} the screen cracked on its own after a week, defective product",
        ],
        "es": [
            "se rompio a los dos dias, calidad malisima",
            "@{h} el producto vino defectuoso, no sirve",
        ],
        "ro": [
            "s-a stricat dupa doua zile, calitate jalnica",
            "@{h} produsul a venit defect, nu functioneaza cum trebuie",
        ],
        "el": [
            "χάλασε μετά από δύο μέρες, άθλια ποιότητα",
            "@{h} το προϊον ηρθε ελαττωματικο",
        ],
        "id": [
            "baru dua hari udah rusak, kualitasnya jelek banget",
            "@{h} barangnya cacat, gak bisa dipake",
        ],
        "fa": [
            "بعد از دو روز خراب شد، کیفیتش افتضاحه",
            "@{h} محصول معیوب بود و کار نمیکنه",
        ],
    },
}

CHATTER: dict[str, list[str]] = {
    "en": [
        "just got the new model, loving it so far 😍",
        "anyone watching the game tonight?",
        "thanks @{h} for the quick help yesterday!",
        "new blog post: 10 tips for better photos with your phone",
        "what time does the store open on sunday?",
        "so glad I switched, delivery was super fast",
    ],
    "es": [
        "me encanta el nuevo modelo, muy recomendable",
        "gracias @{h} por la ayuda tan rapida",
        "a que hora abre la tienda el domingo?",
    ],
    "ro": [
        "tocmai mi-am luat modelul nou, e super",
        "multumesc @{h} pentru ajutor, ati fost rapizi",
        "la ce ora se deschide magazinul duminica?",
    ],
    "el": [
        "μόλις πήρα το καινούργιο μοντέλο, τέλειο",
        "ευχαριστώ @{h} για τη γρήγορη βοήθεια",
        "τι ώρα ανοίγει το κατάστημα την Κυριακή;",
    ],
    "id": [
        "baru beli model baru, mantap banget",
        "makasih @{h} udah bantu cepet",
        "tokonya buka jam berapa hari minggu?",
    ],
    "fa": [
        "مدل جدید رو خریدم، عالیه",
        "ممنون @{h} بابت کمک سریع",
        "فروشگاه یکشنبه ساعت چند باز میشه؟",
    ],
}
