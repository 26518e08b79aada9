"""Refreshes locale/messages.pot: `python -m trustguardian.i18n.extract`, then `pybabel update`.

Babel extracts the literal strings of the code and templates (babel.cfg's methods, keywords
`_`, `t`, `gettext`, `pgettext`, and `N_` marking a template filled in later); the coded values
(i18n.enums) are added with their contexts; entries of the template that neither finds (labels
built at run time, such as the console's section names) are kept, so that `pybabel update`
never drops a used translation.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from trustguardian.i18n import DOMAIN, LOCALE_DIR
from trustguardian.i18n.enums import coded_values

PACKAGE = Path(__file__).parent.parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {**DEFAULT_KEYWORDS, "t": None, "N_": None}  # N_: domain.risk_texts' templates


def refreshed_template() -> Catalog:
    """The template: what the sources say, the coded values, and what it held already."""
    pot = PACKAGE / "locale" / f"{DOMAIN}.pot"
    with pot.open("rb") as f:
        old = read_po(f)
    new = Catalog(project="Trust Guardian", domain=DOMAIN, charset="utf-8")
    found = extract_from_dir(PACKAGE, METHODS, OPTIONS, KEYWORDS)
    for filename, lineno, text, _comments, context in found:
        if isinstance(text, str):
            new.add(text, None, [(filename, lineno)], context=context)
    for context, values in coded_values().items():
        for value in values:
            new.add(value, None, context=context)
    for message in old:
        if message.id and new.get(message.id, context=message.context) is None:
            new.add(message.id, None, context=message.context, flags=message.flags)
    for message in new:
        if message.id and "{" in str(message.id):
            message.flags.add("python-brace-format")
    return new


def main() -> None:
    """Writes the refreshed template beside the catalogs."""
    catalog = refreshed_template()
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as f:
        write_po(f, catalog, width=100, sort_output=True, omit_header=False)
    print(f"{len(catalog)} messages in {LOCALE_DIR / (DOMAIN + '.pot')}")


if __name__ == "__main__":
    main()
