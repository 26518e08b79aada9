"""The public pages' words in Italian and English, and how a page picks its language."""

from __future__ import annotations

from fastapi import Request

LANGUAGES = ("it", "en")

WORDS: dict[str, dict[str, str]] = {
    "it": {
        "skip": "Vai al contenuto",
        "language": "Lingua",
        "invalid_title": "Questo link non è valido",
        "invalid_forged": "Il link è stato alterato o non è stato emesso da noi. Nulla è cambiato.",
        "invalid_expired": "Il link è scaduto. Nulla è cambiato.",
        "invalid_revoked": "Il link è stato revocato. Nulla è cambiato.",
        "invalid_used": "Il link è già stato usato. Nulla è cambiato.",
        "invalid_other": "Il link non è valido. Nulla è cambiato.",
        "unsub_title": "Disiscrizione",
        "unsub_question": "Vuole smettere di ricevere «{purpose}» tramite {channel}?",
        "unsub_button": "Sì, disiscrivimi",
        "unsub_done": "Fatto: non riceverà più «{purpose}» tramite {channel}.",
        "pref_title": "Le sue preferenze privacy",
        "pref_intro": "Qui vede e cambia i consensi che ci ha dato. Ogni modifica vale subito.",
        "purpose": "Finalità",
        "channel": "Canale",
        "state": "Stato",
        "change": "Modifica",
        "give": "Acconsento",
        "withdraw": "Revoco",
        "object": "Mi oppongo",
        "give_label": "Acconsento a {purpose} tramite {channel}",
        "withdraw_label": "Revoco {purpose} tramite {channel}",
        "object_label": "Mi oppongo a {purpose} tramite {channel}",
        "object_all": "Mi oppongo a ogni marketing diretto",
        "object_all_help": "Revoca in un clic tutte le finalità di marketing su ogni canale "
        "(art. 21, paragrafi 2 e 3, GDPR).",
        "saved": "Modifica registrata.",
        "gpc": "Il suo browser invia il segnale Global Privacy Control: lo abbiamo registrato "
        "come opposizione alla vendita o condivisione dei dati.",
        "notice": "Informativa",
        "status_given": "Consenso dato",
        "status_withdrawn": "Revocato",
        "status_refused": "Rifiutato",
        "status_expired": "Scaduto",
        "status_pending_confirmation": "In attesa di conferma",
        "status_none": "Nessuna scelta",
        "status_objected": "Opposizione",
        "basis_consent": "consenso",
        "basis_legitimate_interest": "legittimo interesse",
        "sale_sharing": "vendita o condivisione dei dati",
        "rights_title": "Eserciti i suoi diritti",
        "rights_intro": "Richieste ai sensi degli artt. 15-22 del GDPR. Risponderemo entro un "
        "mese dalla ricezione, dopo aver verificato la sua identità con un codice.",
        "kind": "Tipo di richiesta",
        "kind_access": "Accesso ai dati (art. 15)",
        "kind_rectification": "Rettifica (art. 16)",
        "kind_erasure": "Cancellazione (art. 17)",
        "kind_restriction": "Limitazione (art. 18)",
        "kind_portability": "Portabilità (art. 20)",
        "kind_objection": "Opposizione (art. 21)",
        "kind_objection_direct_marketing": "Opposizione al marketing diretto (art. 21.2)",
        "contact": "E-mail o numero di cellulare",
        "contact_help": "Le invieremo qui il codice di verifica.",
        "details": "Dettagli (facoltativo)",
        "send": "Invia la richiesta",
        "bad_contact": "Indichi un indirizzo e-mail o un numero di cellulare valido.",
        "form_expired": "Il modulo è scaduto: lo abbiamo ricaricato, lo invii di nuovo.",
        "verify_title": "Verifichi la sua identità",
        "verify_intro": "Le abbiamo inviato un codice di 6 cifre. Lo inserisca qui.",
        "code": "Codice di verifica",
        "verify": "Verifica",
        "complaint_title": "Un reclamo",
        "complaint_intro": (
            "Un contatto indesiderato, una richiesta gestita male, un uso dei suoi dati: ce lo "
            "dica. Un reclamo su un contatto ferma quel canale finché non lo chiudiamo."
        ),
        "complaint_kind": "Di cosa si tratta",
        "complaint_kind_contact": "Un contatto indesiderato",
        "complaint_kind_request": "Una richiesta sui miei dati",
        "complaint_kind_data": "L'uso dei miei dati",
        "complaint_kind_other": "Altro",
        "complaint_channel": "Canale del contatto",
        "complaint_contact": "Il suo indirizzo e-mail o numero",
        "complaint_summary": "Cosa è successo",
        "complaint_send": "Invia il reclamo",
        "complaint_received": (
            "Grazie: se l'indirizzo o il numero è tra i nostri, il reclamo è registrato e le "
            "risponderemo."
        ),
        "answer_title": "I suoi dati",
        "answer_intro": (
            "Il file contiene i suoi dati (JSON e CSV) e le informazioni dell'art. 15(1) GDPR. "
            "Il link funziona una sola volta: salvi il file."
        ),
        "answer_download": "Scarica i miei dati",
        "received_title": "Richiesta ricevuta",
        "received": "La sua richiesta {ref} è verificata. Risponderemo entro il {due}.",
        "send_failed": "Non siamo riusciti a inviare il codice. Riprovi più tardi.",
        "entry_intro": "Indichi il suo indirizzo e-mail: le invieremo un link personale.",
        "email": "Indirizzo e-mail",
        "send_link": "Inviami il link",
        "entry_sent": "Se l'indirizzo è tra i nostri clienti, le abbiamo inviato un link.",
        "home_title": "Privacy",
        "home_intro": "Qui può esercitare i suoi diritti sui dati personali e scegliere quali "
        "comunicazioni ricevere.",
        "home_rights_help": "Accesso, rettifica, cancellazione, opposizione e gli altri diritti "
        "del GDPR.",
        "home_prefs_help": "Riceva per e-mail un link personale per vedere e cambiare i suoi "
        "consensi.",
        "home_staff": "Area riservata al personale",
    },
    "en": {
        "skip": "Skip to content",
        "language": "Language",
        "invalid_title": "This link is not valid",
        "invalid_forged": "The link was altered or was not issued by us. Nothing has changed.",
        "invalid_expired": "The link has expired. Nothing has changed.",
        "invalid_revoked": "The link was revoked. Nothing has changed.",
        "invalid_used": "The link was used already. Nothing has changed.",
        "invalid_other": "The link is not valid. Nothing has changed.",
        "unsub_title": "Unsubscribe",
        "unsub_question": "Do you want to stop receiving “{purpose}” by {channel}?",
        "unsub_button": "Yes, unsubscribe me",
        "unsub_done": "Done: you will no longer receive “{purpose}” by {channel}.",
        "pref_title": "Your privacy preferences",
        "pref_intro": "See and change the consents you gave us. Every change applies at once.",
        "purpose": "Purpose",
        "channel": "Channel",
        "state": "State",
        "change": "Change",
        "give": "I agree",
        "withdraw": "Withdraw",
        "object": "I object",
        "give_label": "I agree to {purpose} by {channel}",
        "withdraw_label": "Withdraw {purpose} by {channel}",
        "object_label": "I object to {purpose} by {channel}",
        "object_all": "I object to all direct marketing",
        "object_all_help": "Withdraws every marketing purpose on every channel in one click "
        "(GDPR art. 21(2) and (3)).",
        "saved": "Change recorded.",
        "gpc": "Your browser sends the Global Privacy Control signal: we recorded it as an "
        "objection to the sale or sharing of your data.",
        "notice": "Privacy notice",
        "status_given": "Consent given",
        "status_withdrawn": "Withdrawn",
        "status_refused": "Refused",
        "status_expired": "Expired",
        "status_pending_confirmation": "Awaiting confirmation",
        "status_none": "No choice made",
        "status_objected": "Objected",
        "basis_consent": "consent",
        "basis_legitimate_interest": "legitimate interest",
        "sale_sharing": "sale or sharing of data",
        "rights_title": "Exercise your rights",
        "rights_intro": "Requests under GDPR arts. 15-22. We answer within one month of "
        "receipt, after checking your identity with a code.",
        "kind": "Kind of request",
        "kind_access": "Access to your data (art. 15)",
        "kind_rectification": "Rectification (art. 16)",
        "kind_erasure": "Erasure (art. 17)",
        "kind_restriction": "Restriction (art. 18)",
        "kind_portability": "Portability (art. 20)",
        "kind_objection": "Objection (art. 21)",
        "kind_objection_direct_marketing": "Objection to direct marketing (art. 21(2))",
        "contact": "E-mail address or mobile number",
        "contact_help": "We send the verification code here.",
        "details": "Details (optional)",
        "send": "Send the request",
        "bad_contact": "Enter a valid e-mail address or mobile number.",
        "form_expired": "The form had expired: we reloaded it, please send it again.",
        "verify_title": "Verify your identity",
        "verify_intro": "We sent you a 6-digit code. Enter it here.",
        "code": "Verification code",
        "verify": "Verify",
        "complaint_title": "A complaint",
        "complaint_intro": (
            "An unwanted contact, a request badly handled, a use of your data: tell us. A "
            "complaint about a contact stops that channel until we close it."
        ),
        "complaint_kind": "What it is about",
        "complaint_kind_contact": "An unwanted contact",
        "complaint_kind_request": "A request about my data",
        "complaint_kind_data": "The use of my data",
        "complaint_kind_other": "Something else",
        "complaint_channel": "Channel of the contact",
        "complaint_contact": "Your e-mail address or number",
        "complaint_summary": "What happened",
        "complaint_send": "Send the complaint",
        "complaint_received": (
            "Thank you: if the address or number is one of ours, the complaint is recorded and "
            "we will answer."
        ),
        "answer_title": "Your data",
        "answer_intro": (
            "The file holds your data (JSON and CSV) and the GDPR art. 15(1) information. "
            "The link works once: keep the file."
        ),
        "answer_download": "Download my data",
        "received_title": "Request received",
        "received": "Your request {ref} is verified. We will answer by {due}.",
        "send_failed": "We could not send the code. Please try again later.",
        "entry_intro": "Enter your e-mail address: we will send you a personal link.",
        "email": "E-mail address",
        "send_link": "Send me the link",
        "entry_sent": "If the address belongs to one of our customers, we sent it a link.",
        "home_title": "Privacy",
        "home_intro": "Here you can exercise your rights over your personal data and choose "
        "which messages you receive.",
        "home_rights_help": "Access, rectification, erasure, objection and your other GDPR rights.",
        "home_prefs_help": "Get a personal link by e-mail to see and change your consents.",
        "home_staff": "Staff sign-in",
    },
}

CHANNEL_NAMES = {
    "it": {"email": "e-mail", "sms": "SMS", "phone": "telefono", "letter": "posta"},
    "en": {"email": "e-mail", "sms": "SMS", "phone": "phone", "letter": "post"},
}


def pick_language(request: Request, given: str | None = None) -> str:
    """`?lang=`, then a form's `lang`, then Accept-Language; Italian by default."""
    for candidate in (request.query_params.get("lang"), given):
        if candidate in LANGUAGES:
            return str(candidate)
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "it"


class Words:
    """A page's words: `t("key", purpose=...)`."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._words = WORDS[language]

    def __call__(self, key: str, **values: object) -> str:
        return self._words[key].format(**values)

    def channel(self, value: str) -> str:
        return CHANNEL_NAMES[self.language].get(value, value.replace("_", " "))
