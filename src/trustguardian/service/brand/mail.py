"""Mails to people in the company's brand: from its sender, with its name, logo, colours,
footer and links around the message (HTML), and its name and links under the text."""

from __future__ import annotations

from html import escape

from trustguardian.domain.brand import Brand
from trustguardian.i18n import Words
from trustguardian.messaging import Mailer, mailer_for
from trustguardian.service.brand.use_cases import brand_in_force, mail_sender
from trustguardian.service.context import Context


def branded_mailer(ctx: Context) -> tuple[Mailer, Brand]:
    """The mailer, sending from the brand's sender, and the brand in force."""
    brand = brand_in_force(ctx)
    return mailer_for(ctx.settings, sender=mail_sender(brand)), brand


def text_footer(brand: Brand, t: Words) -> str:
    """The lines under a text mail: the company, its footer and links."""
    lines = [x for x in (brand.company_name, brand.footer_text) if x]
    if brand.privacy_url:
        lines.append(f"{t('Privacy policy')}: {brand.privacy_url}")
    if brand.contact_url:
        lines.append(f"{t('Contact us')}: {brand.contact_url}")
    return ("\n-- \n" + "\n".join(lines) + "\n") if lines else ""


def html_page(brand: Brand, t: Words, base_url: str, body: str) -> str:
    """An HTML mail: the brand's header (logo, name), `body` (HTML already escaped), footer.

    Styles are inline: most mail programs drop a stylesheet. The logo is the server's public
    `/brand/logo` (a mail program may wait for the reader's leave to load it)."""
    palette = brand.palette()
    head = ""
    if brand.logo_type:
        src = f"{base_url.rstrip('/')}/brand/logo?v={brand.logo_version()}"
        alt = "" if brand.company_name else t("Logo")
        head += (
            f'<img class="brand-logo" src="{escape(src)}" alt="{escape(alt)}" height="48" '
            'style="height:48px;vertical-align:middle;margin-right:12px">'
        )
    if brand.company_name:
        head += (
            f'<strong class="brand-name" style="font-size:20px;vertical-align:middle;'
            f'color:{palette["link"]}">{escape(brand.company_name)}</strong>'
        )
    links = [
        f'<a href="{escape(url)}" style="color:{palette["link"]}">{escape(t(caption))}</a>'
        for url, caption in (
            (brand.privacy_url, "Privacy policy"),
            (brand.contact_url, "Contact us"),
        )
        if url
    ]
    foot = " · ".join([escape(x) for x in (brand.company_name, brand.footer_text) if x] + links)
    return (
        f'<!doctype html><html lang="{t.language}"><body style="margin:0;padding:16px;'
        'font-family:system-ui,sans-serif;color:#1a1a1a;line-height:1.5">'
        '<div style="max-width:36rem;margin:0 auto">'
        + (
            f'<div style="padding:8px 0 12px;border-bottom:4px solid {palette["primary"]}">'
            f"{head}</div>"
            if head
            else ""
        )
        + body
        + (
            f'<p style="border-top:1px solid #bbb;padding-top:8px;font-size:13px;color:#4a4a4a">'
            f"{foot}</p>"
            if foot
            else ""
        )
        + "</div></body></html>"
    )


def button(brand: Brand, link: str, caption: str) -> str:
    """A link drawn as a button in the brand's colours (AA text on the primary colour)."""
    palette = brand.palette()
    return (
        f'<p><a href="{escape(link)}" style="display:inline-block;padding:10px 18px;'
        f"border-radius:4px;text-decoration:none;background:{palette['primary']};"
        f'color:{palette["on-primary"]}">{escape(caption)}</a></p>'
    )


def text_as_html(text: str) -> str:
    """A text mail's body as HTML paragraphs (escaped), a line that is a link made a link."""
    out = []
    for block in text.strip().split("\n\n"):
        lines = []
        for line in block.splitlines():
            bare = line.strip()
            if bare.startswith(("https://", "http://")) and " " not in bare:
                lines.append(f'<a href="{escape(bare)}">{escape(bare)}</a>')
            else:
                lines.append(escape(line))
        out.append("<p>" + "<br>".join(lines) + "</p>")
    return "".join(out)
