"""The reports' words in Italian: English source strings (as the reports write them) -> Italian.

tests/reports/test_report_words.py checks that every string the reports translate is here.
"""

from __future__ import annotations

from trustguardian.reports.dossier_report import KINDS, STATUSES

ITALIAN: dict[str, str] = {
    # Shared words.
    "none": "nessuno",
    "none recorded": "nessuno registrato",
    "not set": "non indicato",
    "not stated": "non indicato",
    "not designated": "non designato",
    "yes": "sì",
    "no": "no",
    "OK": "OK",
    "FAILED": "FALLITA",
    "never": "mai",
    "high": "alta",
    "medium": "media",
    "low": "bassa",
    "valid": "valida",
    "INVALID": "NON VALIDA",
    "NO": "NO",
    "total": "totale",
    # The standard exports (Kantara receipts).
    "withdrawal, or {days} days after the consent": "revoca, o {days} giorni dopo il consenso",
    "withdrawal": "revoca",
    "; data kept at most {days} days": "; dati conservati al massimo {days} giorni",
    # The register of processing (art. 30).
    "Register of processing activities (GDPR art. 30)": (
        "Registro delle attività di trattamento (art. 30 GDPR)"
    ),
    "Generated {at}; {n} activities.": "Generato il {at}; {n} attività.",
    "Security measures (art. 30(1)(g)): {m}": "Misure di sicurezza (art. 30(1)(g)): {m}",
    "field": "voce",
    "art. 30(1)": "art. 30(1)",
    "value": "contenuto",
    "Controller": "Titolare del trattamento",
    "Data protection officer (art. 37)": "Responsabile della protezione dei dati (art. 37)",
    "Representative in the Union (art. 27)": "Rappresentante nell'Unione (art. 27)",
    "not designated (the controller is established in the Union)": (
        "non designato (il titolare è stabilito nell'Unione)"
    ),
    "Purpose": "Finalità",
    "Name": "Nome",
    "Version": "Versione",
    "Status": "Stato",
    "Description": "Descrizione",
    "Legal basis": "Base giuridica",
    "Direct marketing": "Marketing diretto",
    "Categories of data subjects": "Categorie di interessati",
    "Categories of personal data": "Categorie di dati personali",
    "Channels": "Canali",
    "Collected at": "Raccolti presso",
    "Recipients": "Destinatari",
    "Transfers outside the EEA": "Trasferimenti verso paesi terzi (fuori dal SEE)",
    "Retention (days)": "Conservazione (giorni)",
    "How retention is counted": "Criterio di conservazione",
    "Consent lifetime (days)": "Durata del consenso (giorni)",
    "Withdrawal at": "Revoca presso",
    "Security measures": "Misure di sicurezza",
    "customers and prospects": "clienti e potenziali clienti",
    "safeguard:adequacy": "decisione di adeguatezza",
    "safeguard:scc": "clausole contrattuali tipo",
    "safeguard:bcr": "norme vincolanti d'impresa",
    "safeguard:code_of_conduct": "codice di condotta",
    "safeguard:certification": "certificazione",
    "safeguard:derogation": "deroga per situazioni specifiche",
    (
        "Personal data and evidence encrypted per data subject (AES-256-GCM), erasure by "
        "destroying the subject's key; identifiers looked up through keyed hashes only; every "
        "privacy event in an append-only Merkle log (RFC 9162) with Ed25519-signed checkpoints; "
        "API keys hashed at rest, scoped and bound to touchpoints."
    ): (
        "Dati personali e prove cifrati per interessato (AES-256-GCM), cancellazione mediante "
        "distruzione della chiave dell'interessato; identificativi ricercati solo tramite hash "
        "con chiave; ogni evento privacy in un registro Merkle append-only (RFC 9162) con "
        "checkpoint firmati Ed25519; chiavi API conservate come hash, con ambiti limitati e "
        "legate ai touchpoint."
    ),
    # A touchpoint's dossier.
    "Touchpoint dossier: {name}": "Fascicolo del touchpoint: {name}",
    "Generated {at}": "Generato il {at}",
    "Key": "Chiave",
    "Owner": "Responsabile",
    "Company systems": "Sistemi aziendali",
    "Purposes": "Finalità",
    "Notice": "Informativa",
    "Required proofs": "Prove richieste",
    "Confirmation": "Conferma",
    "Last examined": "Ultimo esame",
    "Census history: findings, open and resolved": "Storia del censimento: rilievi aperti e chiusi",
    "found": "rilevato",
    "resolved": "risolto",
    "No finding was ever made.": "Nessun rilievo è mai stato fatto.",
    "Sign-offs": "Attestazioni di messa in sicurezza",
    "signed": "firmata il",
    "signed by": "firmata da",
    "note": "nota",
    "examination": "esame",
    "Never signed off as secured.": "Mai attestato come messo in sicurezza.",
    "Notices shown over time": "Informative mostrate nel tempo",
    "notice": "informativa",
    "version": "versione",
    "events": "eventi",
    "first": "primo",
    "last": "ultimo",
    "No event cites a notice.": "Nessun evento cita un'informativa.",
    "Events by kind": "Eventi per tipo",
    "No event was recorded here.": "Nessun evento è stato registrato qui.",
    "Sample proofs of the latest consents": "Prove a campione degli ultimi consensi",
    "Each proof by its type and the salted commitment the ledger holds; its content is in the "
    "subject's dossier.": (
        "Ogni prova con il suo tipo e l'impegno con sale custodito nel registro; il contenuto è "
        "nel fascicolo dell'interessato."
    ),
    "proof": "prova",
    "commitment": "impegno",
    "file": "file",
    "No consent was recorded here.": "Nessun consenso è stato registrato qui.",
    # The inspection report.
    "Inspection report": "Rapporto per l'ispezione",
    "Period: {start} to {end} (end excluded)": "Periodo: dal {start} al {end} (escluso)",
    "Generated {at} by {origin}": "Generato il {at} da {origin}",
    "Controller: {name}": "Titolare: {name}",
    "DPO: {dpo}": "RPD/DPO: {dpo}",
    "Representative (art. 27): {who}": "Rappresentante (art. 27): {who}",
    "Touchpoints in the census: {n} (secured {secured}, examined {examined}, censused "
    "{censused})": (
        "Touchpoint censiti: {n} (messi in sicurezza {secured}, esaminati {examined}, censiti "
        "{censused})"
    ),
    "Open findings: high {high}, medium {medium}, low {low}": (
        "Rilievi aperti: gravità alta {high}, media {medium}, bassa {low}"
    ),
    "Privacy events in the period: {n}, and {late} recorded in the period that occurred "
    "earlier (imports, late paper forms)": (
        "Eventi privacy del periodo: {n}, più {late} registrati nel periodo ma avvenuti prima "
        "(importazioni, moduli cartacei tardivi)"
    ),
    "Confirmations asked for in the period (double opt-in / OTP): awaiting {awaiting}, expired "
    "unconfirmed {expired}, confirmed {confirmed}. A sign-up from a public form is recorded only "
    "once confirmed.": (
        "Conferme richieste nel periodo (double opt-in / OTP): in attesa {awaiting}, scadute "
        "senza conferma {expired}, confermate {confirmed}. Un'iscrizione da un modulo pubblico è "
        "registrata solo dopo la conferma."
    ),
    "Consents given now: {given}; expired: {expired}": (
        "Consensi prestati oggi: {given}; scaduti: {expired}"
    ),
    "Ledger verification: {ok}, tree size {size}, {checkpoints} checkpoints, {in_period} in "
    "the period": (
        "Verifica del registro: {ok}, dimensione dell'albero {size}, {checkpoints} checkpoint, "
        "{in_period} nel periodo"
    ),
    "1. Census of touchpoints and their findings": "1. Censimento dei touchpoint e rilievi",
    "Findings per touchpoint": "Rilievi per touchpoint",
    "touchpoint": "touchpoint",
    "kind": "tipo",
    "channel": "canale",
    "status": "stato",
    "examined": "esaminato",
    "Findings and their fixes": "Rilievi e rimedi",
    "severity": "gravità",
    "rule": "regola",
    "finding": "rilievo",
    "fix": "rimedio",
    "2. Consents per purpose and channel": "2. Consensi per finalità e canale",
    "State at {at} (a given consent past its lifetime, and one awaiting confirmation past its "
    "deadline, count as expired).": (
        "Stato al {at} (un consenso prestato oltre la sua durata, e uno in attesa di conferma "
        "oltre il termine, contano come scaduti)."
    ),
    "Consent state per purpose / channel": "Stato dei consensi per finalità / canale",
    "purpose": "finalità",
    "Privacy events of the period": "Eventi privacy del periodo",
    "Occurred: events that occurred in the period. Recorded late: events recorded in the "
    "period that occurred before it (legacy imports, late paper forms).": (
        "Avvenuti: eventi avvenuti nel periodo. Registrati dopo: eventi registrati nel periodo "
        "ma avvenuti prima (importazioni di archivi, moduli cartacei tardivi)."
    ),
    "event": "evento",
    "occurred": "avvenuti",
    "recorded late": "registrati dopo",
    "Contacts made in the period, by check": "Contatti effettuati nel periodo, per verifica",
    "check": "verifica",
    "contacts": "contatti",
    "3. Proofs of genuineness of the consents collected in the period": (
        "3. Prove di genuinità dei consensi raccolti nel periodo"
    ),
    "Consents with proofs (%) per touchpoint": "Consensi con prove (%) per touchpoint",
    "with proofs %": "con prove %",
    "consents": "consensi",
    "with proofs": "con prove",
    "notice shown": "informativa mostrata",
    "double opt-in / OTP": "doppio opt-in / OTP",
    "signed form": "modulo firmato",
    "with file": "con file",
    "imported": "importati",
    "coverage %": "copertura %",
    "4. Synchronisation with company systems": "4. Sincronizzazione con i sistemi aziendali",
    "destination": "destinazione",
    "system": "sistema",
    "taken up to": "letto fino a",
    "behind": "in ritardo",
    "delivered": "consegnati",
    "pending": "in attesa",
    "failed": "falliti",
    "No system is kept in sync (no webhook, no broker).": (
        "Nessun sistema è sincronizzato (nessun webhook, nessun broker)."
    ),
    "5. Ledger integrity": "5. Integrità del registro",
    "Verification from genesis: {ok}: {events} events, {proofs} proofs, {nodes} tree nodes, "
    "{checkpoints} checkpoints, {states} consent states, {opened} evidence items opened and "
    "matched ({erased} erased).": (
        "Verifica dall'origine: {ok}: {events} eventi, {proofs} prove, {nodes} nodi dell'albero, "
        "{checkpoints} checkpoint, {states} stati del consenso, {opened} prove aperte e "
        "riscontrate ({erased} cancellate)."
    ),
    "Public key: {key}": "Chiave pubblica: {key}",
    "Checkpoint chain (the last checkpoint of each day, each proved consistent with the "
    "previous one)": (
        "Catena dei checkpoint (l'ultimo di ogni giorno, ciascuno provato coerente con il "
        "precedente)"
    ),
    "tree size": "dimensione dell'albero",
    "created": "creato",
    "signature": "firma",
    "consistent": "coerente",
    "Ledger size at each day's last checkpoint": (
        "Dimensione del registro all'ultimo checkpoint di ogni giorno"
    ),
    "Rights requests received in the period: {received} (answered in time {in_time}, late "
    "{late}, extended {extended}, overdue now {overdue}); overdue now, whenever received: "
    "{overdue_all}": (
        "Richieste di esercizio dei diritti ricevute nel periodo: {received} (evase nei termini "
        "{in_time}, in ritardo {late}, prorogate {extended}, scadute ora {overdue}); scadute "
        "ora, ricevute in qualsiasi data: {overdue_all}"
    ),
    "Complaints received in the period: {received} (closed {closed}, answered {answered}, "
    "still open {open})": (
        "Reclami ricevuti nel periodo: {received} (chiusi {closed}, con risposta {answered}, "
        "ancora aperti {open})"
    ),
    "6. Rights requests and their timeliness (GDPR art. 12(3))": (
        "6. Richieste di esercizio dei diritti e tempi di risposta (art. 12(3) GDPR)"
    ),
    "Requests received in the period, by right. A request is answered in time when it was "
    "closed before the end of its due day (Europe/Rome), one month from receipt or three once "
    "extended; overdue now counts requests still open past that day at {at}.": (
        "Richieste ricevute nel periodo, per diritto. Una richiesta è evasa nei termini se è "
        "stata chiusa entro la fine del giorno di scadenza (Europe/Rome), un mese dalla "
        "ricezione o tre se prorogata; scadute ora conta le richieste ancora aperte oltre quel "
        "giorno al {at}."
    ),
    "No rights request was received in the period.": (
        "Nessuna richiesta di esercizio dei diritti è stata ricevuta nel periodo."
    ),
    "Rights requests per right: in time, late, overdue": (
        "Richieste per diritto: nei termini, in ritardo, scadute"
    ),
    "in time": "nei termini",
    "late": "in ritardo",
    "overdue now": "scadute ora",
    "open, in time": "aperte, nei termini",
    "right": "diritto",
    "received": "ricevute",
    "fulfilled in time": "evase nei termini",
    "rejected in time": "respinte nei termini",
    "answered late": "risposte in ritardo",
    "extended": "prorogate",
    "7. Complaints": "7. Reclami",
    "Complaints received in the period, by status now and by what they were about.": (
        "Reclami ricevuti nel periodo, per stato attuale e per oggetto."
    ),
    "No complaint was received in the period.": "Nessun reclamo è stato ricevuto nel periodo.",
    "Complaints by status": "Reclami per stato",
    "complaints": "reclami",
    "What they were about (the event complained about)": "Oggetto (l'evento contestato)",
}

CODES: dict[str, str] = {
    **{f"kind:{k}": v for k, v in KINDS["it"].items()},
    **{f"status:{k}": v for k, v in STATUSES["it"].items()},
    "record:active": "attiva",
    "record:retired": "dismessa",
    "basis:consent": "consenso (art. 6(1)(a))",
    "basis:contract": "esecuzione di un contratto (art. 6(1)(b))",
    "basis:legal_obligation": "obbligo legale (art. 6(1)(c))",
    "basis:vital_interest": "interessi vitali (art. 6(1)(d))",
    "basis:public_task": "compito di interesse pubblico (art. 6(1)(e))",
    "basis:legitimate_interest": "legittimo interesse (art. 6(1)(f))",
    "data:e-mail address": "indirizzo e-mail",
    "data:telephone number": "numero di telefono",
    "data:postal address": "indirizzo postale",
    "data:online identifiers (IP address, user agent)": (
        "identificativi online (indirizzo IP, user agent)"
    ),
    "data:online identifiers (device, IP address)": (
        "identificativi online (dispositivo, indirizzo IP)"
    ),
    "data:social media handle": "profilo social",
    "data:signature on paper forms": "firma su moduli cartacei",
    "data:contact data": "dati di contatto",
    "tpkind:collect": "raccolta",
    "tpkind:engage": "contatto",
    "tpkind:right": "diritti",
    "tpstatus:censused": "censito",
    "tpstatus:examined": "esaminato",
    "tpstatus:secured": "messo in sicurezza",
    "tpstatus:retired": "dismesso",
    "right:access": "accesso (art. 15)",
    "right:rectification": "rettifica (art. 16)",
    "right:erasure": "cancellazione (art. 17)",
    "right:restriction": "limitazione (art. 18)",
    "right:portability": "portabilità (art. 20)",
    "right:objection": "opposizione (art. 21(1))",
    "right:objection_direct_marketing": "opposizione al marketing diretto (art. 21(2))",
    "complaint:open": "aperto",
    "complaint:investigating": "in istruttoria",
    "complaint:answered": "con risposta",
    "complaint:closed": "chiuso",
}
