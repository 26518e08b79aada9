"""The words of the console's admin pages (touchpoints, purposes, notices, systems and webhooks,
API keys, users), kept together so they move to the catalogues in one piece."""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    "perm:purposes:edit": "create and revise purposes",
    "perm:systems:manage": "manage company systems, webhooks and dead letters",
    "perm:keys:manage": "create and revoke API keys",
}

ITALIAN: dict[str, str] = {
    "perm:purposes:edit": "creare e rivedere le finalità",
    "perm:systems:manage": "gestire sistemi aziendali, webhook e consegne fallite",
    "perm:keys:manage": "creare e revocare le chiavi API",
    "API keys": "Chiavi API",
    "Add a user": "Aggiungi un utente",
    "Add the user": "Aggiungi l'utente",
    "Analogous products (soft spam)": "Prodotti analoghi (soft spam)",
    "Attempts at a code": "Tentativi per un codice",
    "Bound to the touchpoint (it may write only its own events)": (
        "Legata al touchpoint (può scrivere solo i suoi eventi)"
    ),
    "Company systems (one a line)": "Sistemi aziendali (uno per riga)",
    "Confirmation": "Conferma",
    "Confirmation of consents": "Conferma dei consensi",
    "Confirmed by an external system (its name)": "Confermati da un sistema esterno (il nome)",
    "Consent lifetime (days, empty: no limit)": "Durata del consenso (giorni, vuoto: senza limite)",
    "Controller": "Titolare",
    "Create a key": "Crea una chiave",
    "Create the key": "Crea la chiave",
    "Create the notice": "Crea l'informativa",
    "Create the purpose": "Crea la finalità",
    "Create the touchpoint": "Crea il touchpoint",
    "Create the webhook": "Crea il webhook",
    "Deliveries that ran out of attempts. Retry or discard them with trustguardian sync "
    "dead-letters or the API.": (
        "Consegne che hanno esaurito i tentativi. Riprovale o scartale con trustguardian sync "
        "dead-letters o con l'API."
    ),
    "Description": "Descrizione",
    "Description (default)": "Descrizione (predefinita)",
    "Disable": "Disattiva",
    "Draft of version {v}": "Bozza della versione {v}",
    "Drafts and publishing": "Bozze e pubblicazione",
    "Edit touchpoint": "Modifica il touchpoint",
    "Enable": "Riattiva",
    "Event kinds (none: all)": "Tipi di evento (nessuno: tutti)",
    "For the company system": "Per il sistema aziendale",
    "How retention is counted": "Come si calcola la conservazione",
    "It collects and contacts no more: retire it.": "Non raccoglie né contatta più: dismettilo.",
    "Key (letters, digits, - and _)": "Chiave (lettere, cifre, - e _)",
    "Label in {language}": "Etichetta in {language}",
    "Language (it, en, ...)": "Lingua (it, en, ...)",
    "Language of the messages": "Lingua dei messaggi",
    "Last error": "Ultimo errore",
    "Name (default)": "Nome (predefinito)",
    "Nature": "Natura",
    "New draft": "Nuova bozza",
    "New notice": "Nuova informativa",
    "New purpose": "Nuova finalità",
    "New touchpoint": "Nuovo touchpoint",
    "New version of the purpose": "Nuova versione della finalità",
    "No API key yet.": "Ancora nessuna chiave API.",
    "No dead letter.": "Nessuna consegna fallita.",
    "No new consent for it: retire it.": "Nessun nuovo consenso: dismettila.",
    "No system registered yet.": "Ancora nessun sistema registrato.",
    "No version yet: write a draft below.": "Ancora nessuna versione: scrivi una bozza qui sotto.",
    "No webhook yet.": "Ancora nessun webhook.",
    "Password (at least 12 characters)": "Password (almeno 12 caratteri)",
    "Preview of the draft": "Anteprima della bozza",
    "Purposes (none: all)": "Finalità (nessuna: tutte)",
    "Recipients (one a line)": "Destinatari (uno per riga)",
    "Register a system": "Registra un sistema",
    "Register the system": "Registra il sistema",
    "Retention (days)": "Conservazione (giorni)",
    "Retire": "Dismissione",
    "Retire the purpose": "Dismetti la finalità",
    "Retire the touchpoint": "Dismetti il touchpoint",
    "Revoke": "Revoca",
    "Rotate the secret": "Ruota il segreto",
    "Save a new version": "Salva una nuova versione",
    "Save the confirmation settings": "Salva le impostazioni di conferma",
    "Save the draft": "Salva la bozza",
    "Saving a changed content makes a new version; the earlier versions stay readable forever.": (
        "Salvare un contenuto modificato crea una nuova versione; le precedenti restano "
        "leggibili per sempre."
    ),
    "Send the whole history first": "Invia prima tutta la cronologia",
    "Set the role": "Imposta il ruolo",
    "Subscribe a webhook": "Registra un webhook",
    "Systems and webhooks": "Sistemi e webhook",
    "Takes effect (UTC, YYYY-MM-DD HH:MM; empty: now)": (
        "In vigore da (UTC, AAAA-MM-GG HH:MM; vuoto: da adesso)"
    ),
    "Text": "Testo",
    "The new key {id}. It is shown this once: copy it now; only its hash is kept.": (
        "La nuova chiave {id}. È mostrata solo questa volta: copiala ora; se ne conserva solo "
        "l'hash."
    ),
    "The signing secret of webhook {id}. It is shown this once: copy it into the receiving "
    "system now.": (
        "Il segreto di firma del webhook {id}. È mostrato solo questa volta: copialo ora nel "
        "sistema che riceve."
    ),
    "Title": "Titolo",
    "URL (https://...)": "URL (https://...)",
    "Webhook": "Webhook",
    "Webhooks": "Webhook",
    "Within (minutes)": "Entro (minuti)",
    "published on {at}": "pubblicata il {at}",
    "revoked on {at}": "revocata il {at}",
    "Username": "Nome utente",
    "Scopes": "Ambiti",
    "Kind": "Tipo",
    "Channel": "Canale",
    "Owner": "Responsabile",
    "Legal basis": "Base giuridica",
    "Channels": "Canali",
    "Marketing": "Marketing",
    "Purposes": "Finalità",
    "Privacy notice": "Informativa",
    "Required proofs": "Prove richieste",
    "Name": "Nome",
    "Role": "Ruolo",
    "System": "Sistema",
    "Dead letters": "Consegne fallite",
    "Save": "Salva",
}
