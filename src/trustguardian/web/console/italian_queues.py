"""The words of the work queues, the census findings and the dossier, in English and Italian."""

from __future__ import annotations

# Coded values read as words in English too.
ENGLISH: dict[str, str] = {
    "proof:import": "imported from an earlier system",
    "event:request.received": "rights request received",
    "event:request.verifying": "rights request: identity being verified",
    "event:request.in_progress": "rights request in progress",
    "event:request.extended": "rights request extended",
    "event:request.fulfilled": "rights request fulfilled",
    "event:request.rejected": "rights request rejected",
    "event:subject.erased": "subject erased",
    "event:complaint.opened": "complaint opened",
    "event:complaint.updated": "complaint updated",
    "event:processing.restricted": "processing restricted (art. 18)",
    "event:processing.restriction_lifted": "restriction lifted",
    "queue:open": "open requests",
    "queue:due_soon": "due within 7 days",
    "queue:overdue": "overdue",
    "queue:closed": "closed requests",
    "right:access": "access (art. 15)",
    "right:rectification": "rectification (art. 16)",
    "right:erasure": "erasure (art. 17)",
    "right:restriction": "restriction (art. 18)",
    "right:portability": "portability (art. 20)",
    "right:objection": "objection (art. 21(1))",
    "right:objection_direct_marketing": "objection to direct marketing (art. 21(2))",
    "request:received": "received",
    "request:verifying": "verifying identity",
    "request:in_progress": "in progress",
    "request:extended": "extended",
    "request:fulfilled": "fulfilled",
    "request:rejected": "rejected",
    "complaint:open": "open",
    "complaint:investigating": "investigating",
    "complaint:answered": "answered",
    "complaint:closed": "closed",
    "severity:high": "high",
    "severity:medium": "medium",
    "severity:low": "low",
    "lang:it": "Italian",
    "lang:en": "English",
    "rule:collect_without_proofs": "Collects with no proof of genuineness required",
    "rule:marketing_without_double_opt_in": "Marketing consent online without double opt-in",
    "rule:confirmation_proof_required": "Requires the proof its confirmation adds later",
    "rule:consent_without_substance": "Consents with no scan or recording behind them",
    "rule:collect_without_notice": "Collects without a privacy notice in force",
    "rule:outdated_notice": "Shows an outdated notice",
    "rule:purpose_legal_basis": "Marketing on a legal basis that does not cover it",
    "rule:purpose_retention": "Retention or consent refresh out of guidance",
    "rule:contacts_without_checks": "Contacts made without a valid check",
    "rule:contacts_despite_denial": "Contacts made although the check said no",
    "rule:no_right_touchpoint": "No Right touchpoint to withdraw a marketing purpose",
    "rule:stale_opposition_register": "Opposition register out of date",
    "rule:stale_consents": "Consents older than their refresh period",
}

ITALIAN: dict[str, str] = {
    "proof:import": "importato da un sistema precedente",
    "event:request.received": "richiesta di esercizio dei diritti ricevuta",
    "event:request.verifying": "richiesta: verifica dell'identità",
    "event:request.in_progress": "richiesta in lavorazione",
    "event:request.extended": "richiesta prorogata",
    "event:request.fulfilled": "richiesta evasa",
    "event:request.rejected": "richiesta respinta",
    "event:subject.erased": "interessato cancellato",
    "event:complaint.opened": "reclamo aperto",
    "event:complaint.updated": "reclamo aggiornato",
    "event:processing.restricted": "trattamento limitato (art. 18)",
    "event:processing.restriction_lifted": "limitazione revocata",
    "queue:open": "richieste aperte",
    "queue:due_soon": "in scadenza entro 7 giorni",
    "queue:overdue": "scadute",
    "queue:closed": "richieste chiuse",
    "right:access": "accesso (art. 15)",
    "right:rectification": "rettifica (art. 16)",
    "right:erasure": "cancellazione (art. 17)",
    "right:restriction": "limitazione (art. 18)",
    "right:portability": "portabilità (art. 20)",
    "right:objection": "opposizione (art. 21(1))",
    "right:objection_direct_marketing": "opposizione al marketing diretto (art. 21(2))",
    "request:received": "ricevuta",
    "request:verifying": "verifica dell'identità",
    "request:in_progress": "in lavorazione",
    "request:extended": "prorogata",
    "request:fulfilled": "evasa",
    "request:rejected": "respinta",
    "complaint:open": "aperto",
    "complaint:investigating": "in istruttoria",
    "complaint:answered": "risposto",
    "complaint:closed": "chiuso",
    "severity:high": "alta",
    "severity:medium": "media",
    "severity:low": "bassa",
    "lang:it": "Italiano",
    "lang:en": "Inglese",
    "rule:collect_without_proofs": "Raccoglie senza richiedere prove di genuinità",
    "rule:marketing_without_double_opt_in": "Consenso di marketing online senza doppio opt-in",
    "rule:confirmation_proof_required": "Richiede la prova che la conferma aggiunge dopo",
    "rule:consent_without_substance": "Consensi senza scansione né registrazione a sostegno",
    "rule:collect_without_notice": "Raccoglie senza un'informativa in vigore",
    "rule:outdated_notice": "Mostra un'informativa superata",
    "rule:purpose_legal_basis": "Marketing su una base giuridica che non lo copre",
    "rule:purpose_retention": "Conservazione o rinnovo del consenso fuori dalle indicazioni",
    "rule:contacts_without_checks": "Contatti senza una verifica valida",
    "rule:contacts_despite_denial": "Contatti nonostante la verifica negativa",
    "rule:no_right_touchpoint": (
        "Nessun touchpoint dei diritti per revocare una finalità di marketing"
    ),
    "rule:stale_opposition_register": "Registro delle opposizioni non aggiornato",
    "rule:stale_consents": "Consensi più vecchi del periodo di rinnovo",
    # Risk from the census.
    "never examined by the census: examine it to learn its risks": (
        "mai esaminato dal censimento: esaminalo per conoscerne i rischi"
    ),
    "examined: no open finding": "esaminato: nessun rilievo aperto",
    "Open high-severity findings": "Rilievi aperti di gravità alta",
    "No open high-severity finding.": "Nessun rilievo aperto di gravità alta.",
    "and {n} more": "e altri {n}",
    "Touchpoints at high risk: {n}.": "Touchpoint a rischio alto: {n}.",
    "{n} touchpoints were never examined by the census.": (
        "{n} touchpoint non sono mai stati esaminati dal censimento."
    ),
    "Open findings of the census's last examination, on {at}.": (
        "Rilievi aperti dell'ultimo esame del censimento, del {at}."
    ),
    "Severity": "Gravità",
    "Finding": "Rilievo",
    "Fix": "Rimedio",
    "Found since": "Rilevato dal",
    "Examine now": "Esamina ora",
    "Runs the census rules: new findings open, fixed ones resolve, and the status follows.": (
        "Applica le regole del censimento: i nuovi rilievi si aprono, quelli risolti si chiudono "
        "e lo stato si aggiorna."
    ),
    "Sign off as secured": "Attesta la messa in sicurezza",
    "Why it is secured: what you checked.": "Perché è in sicurezza: cosa hai verificato.",
    "Sign-offs": "Attestazioni",
    "Signed by": "Firmata da",
    "Note": "Nota",
    "Signed": "Firmata il",
    # The rights-request queue.
    "Rights requests due soon and overdue": "Richieste in scadenza e scadute",
    "{n} open": "{n} aperte",
    "{n} overdue": "{n} scadute",
    "{n} due within 7 days": "{n} in scadenza entro 7 giorni",
    "No request is overdue or due within 7 days.": (
        "Nessuna richiesta è scaduta o in scadenza entro 7 giorni."
    ),
    "The most urgent first. The legal deadline is one month from receipt (art. 12(3) GDPR), "
    "extendable once by two months.": (
        "Prima le più urgenti. Il termine di legge è un mese dal ricevimento (art. 12(3) GDPR), "
        "prorogabile una volta di due mesi."
    ),
    "Show": "Mostra",
    "every kind": "ogni tipo",
    "Assigned to": "Assegnata a",
    "anyone": "chiunque",
    "nobody": "nessuno",
    "Request": "Richiesta",
    "Received": "Ricevuta",
    "Due by": "Scadenza",
    "Deadline": "Termine",
    "overdue": "scaduta",
    "due soon": "in scadenza",
    "closed {at}": "chiusa il {at}",
    "{n} days left": "{n} giorni rimasti",
    "No rights request here.": "Nessuna richiesta qui.",
    "More requests": "Altre richieste",
    "Rights request": "Richiesta di esercizio dei diritti",
    "extended on {at}": "prorogata il {at}",
    "Last handled by": "Ultima gestione di",
    "What the person asked": "Che cosa chiede la persona",
    "No details given, or erased.": "Nessun dettaglio fornito, o cancellato.",
    "Reason for the extension": "Motivo della proroga",
    "Answer given": "Risposta data",
    "Steps": "Passaggi",
    "Start verification: send a code": "Avvia la verifica: invia un codice",
    "The person receives a code by e-mail or SMS at the contact they gave.": (
        "La persona riceve un codice via e-mail o SMS al recapito che ha indicato."
    ),
    "Code the person read back": "Codice letto dalla persona",
    "Confirm the code": "Conferma il codice",
    "Send a new code": "Invia un nuovo codice",
    "Start: identity verified by other means": "Avvia: identità verificata in altro modo",
    "Reason for extending by two months (sent to the person)": (
        "Motivo della proroga di due mesi (inviato alla persona)"
    ),
    "Extend the deadline": "Proroga il termine",
    "Answer to the person": "Risposta alla persona",
    "Fulfilling an erasure destroys this person's key: their data and evidence can never be "
    "read again.": (
        "Evadere una cancellazione distrugge la chiave della persona: i suoi dati e le prove non "
        "potranno più essere letti."
    ),
    "Fulfilling withdraws every marketing purpose on every channel.": (
        "L'evasione revoca ogni finalità di marketing su ogni canale."
    ),
    "Fulfil the request": "Evadi la richiesta",
    "Fulfilling withdraws every purpose resting on legitimate interest.": (
        "L'evasione revoca ogni finalità basata sul legittimo interesse."
    ),
    "Purposes to restrict, comma-separated (empty: all of them)": (
        "Finalità da limitare, separate da virgole (vuoto: tutte)"
    ),
    "Corrected e-mail address": "Indirizzo e-mail corretto",
    "Corrected phone number": "Numero di telefono corretto",
    "Why the restriction ends (sent to the person, art. 18(3))": (
        "Perché la limitazione termina (inviato alla persona, art. 18(3))"
    ),
    "Lift the restriction": "Revoca la limitazione",
    "The restriction is lifted; the person was told.": (
        "La limitazione è revocata; la persona è stata informata."
    ),
    "Reasons for rejecting (sent to the person, art. 12(4))": (
        "Motivi del rigetto (inviati alla persona, art. 12(4))"
    ),
    "Reject the request": "Respingi la richiesta",
    "Assign to": "Assegna a",
    "Assign": "Assegna",
    "A verification code was sent to the person.": "Un codice di verifica è stato inviato.",
    "The code is right: the request is in progress.": (
        "Il codice è corretto: la richiesta è in lavorazione."
    ),
    "The request is in progress.": "La richiesta è in lavorazione.",
    "The deadline is extended; the person was told why.": (
        "Il termine è prorogato; la persona è stata informata del motivo."
    ),
    "The request is rejected; the person was told the reasons.": (
        "La richiesta è respinta; la persona è stata informata dei motivi."
    ),
    "The request is fulfilled; the person was told.": (
        "La richiesta è evasa; la persona è stata informata."
    ),
    "The assignment is saved.": "L'assegnazione è salvata.",
    "The rights request is open; its deadline runs from its receipt.": (
        "La richiesta è aperta; il termine decorre dal ricevimento."
    ),
    # A new request from a person's page.
    "New rights request": "Nuova richiesta di esercizio dei diritti",
    "Back to the subject": "Torna all'interessato",
    "For a request the person made at a desk, by phone or by letter. The deadline runs from now.": (
        "Per una richiesta fatta allo sportello, al telefono o per lettera. Il termine decorre da "
        "adesso."
    ),
    "No Right touchpoint is registered: register one (a privacy desk, a rights form) first.": (
        "Nessun touchpoint dei diritti è registrato: registrane prima uno (uno sportello privacy, "
        "un modulo per i diritti)."
    ),
    "Right exercised": "Diritto esercitato",
    "Received at": "Ricevuta presso",
    "Language of the answer": "Lingua della risposta",
    "What the person asks (kept sealed with their key)": (
        "Che cosa chiede la persona (conservato cifrato con la sua chiave)"
    ),
    "Open the request": "Apri la richiesta",
    "No rights request.": "Nessuna richiesta.",
    # Complaints.
    "Complaint": "Reclamo",
    "every status": "ogni stato",
    "Handler": "Incaricato",
    "No complaint here.": "Nessun reclamo qui.",
    "No complaint.": "Nessun reclamo.",
    "More complaints": "Altri reclami",
    "The complaint is updated.": "Il reclamo è aggiornato.",
    "About the event": "Relativo all'evento",
    "What the person says": "Che cosa dice la persona",
    "Erased.": "Cancellato.",
    "Attachments": "Allegati",
    "files hidden for your role": "file nascosti per il tuo ruolo",
    "{n} bytes": "{n} byte",
    "No attachment.": "Nessun allegato.",
    "The person's timeline": "La cronologia della persona",
    "the event complained about": "l'evento contestato",
    "Open the person's page": "Apri la pagina della persona",
    "Update the complaint": "Aggiorna il reclamo",
    "unchanged": "invariato",
    "Outcome (required to close)": "Esito (obbligatorio per chiudere)",
    "Save": "Salva",
    # Titles of the refusals the queues may show.
    "A rights request cannot move to that status": ("Una richiesta non può passare a quello stato"),
    "The verification code is not valid": "Il codice di verifica non è valido",
    "Too many verification codes for this request": (
        "Troppi codici di verifica per questa richiesta"
    ),
    "No way to reach the person": "Nessun modo di raggiungere la persona",
    "The message could not be sent": "Il messaggio non è stato inviato",
    "Invalid input": "Dati non validi",
    "Conflict with the current state": "In conflitto con lo stato attuale",
    # Single sign-on (service.access.sso).
    "Signed in": "Accesso eseguito",
    "Single sign-on did not complete": "L'accesso unico non è stato completato",
    "Single sign-on is not configured": "L'accesso unico non è configurato",
    "Continue to the console": "Prosegui nella console",
    "Or sign in with your company account:": "Oppure accedi con l'account aziendale:",
    "Your account has no console role": "Il tuo account non ha un ruolo nella console",
}
