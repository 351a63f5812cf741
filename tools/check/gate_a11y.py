"""Gate 3: zero axe violations on one page of every page type, both languages, light and dark,
at a phone's width (390 px) and a desktop's (1280 px): a code block or table that scrolls only
on a phone is a keyboard trap only there."""

from __future__ import annotations


from axe_playwright_python.async_playwright import Axe

from .browser import run as run_async
from .browser import chromium, gather_limited, visit
from .site import Outcome, Site, group_findings, representative_pages

NAME = "a11y"
TITLE = "Accessibility (axe)"
SCHEMES = ("light", "dark")
WIDTHS = (390, 1280)
BROWSER_TABS = 3


def _describe(violation: dict) -> str:
    nodes = violation.get("nodes", [])
    targets = ", ".join(" ".join(map(str, n.get("target", []))) for n in nodes[:3])
    if len(nodes) > 3:
        targets += f" (+{len(nodes) - 3} more)"
    summary = ""
    if nodes and nodes[0].get("failureSummary"):
        # The first line is "Fix any/all of the following:"; the second says what.
        lines = [ln.strip() for ln in nodes[0]["failureSummary"].splitlines() if ln.strip()]
        summary = " " + " ".join(lines[1:2])
    html = (nodes[0].get("html") or "").replace("\n", " ")[:140] if nodes else ""
    return (f"{violation['help']} ({violation.get('impact') or 'n/a'}) at {targets}: `{html}`."
            f"{summary} See {violation.get('helpUrl', '').split('?')[0]}")


async def _run(site: Site, pages) -> list[tuple[str, str, str]]:
    axe = Axe()
    items: list[tuple[str, str, str]] = []
    async with chromium() as browser:
        contexts = {(s, w): await browser.new_context(color_scheme=s, viewport={"width": w, "height": 900})
                    for s in SCHEMES for w in WIDTHS}

        async def one(info, scheme, width):
            rel = site.rel(info.path)
            page = await contexts[(scheme, width)].new_page()
            where = f"{rel} [{info.lang} {info.page_type}, {scheme}, {width} px]"
            try:
                await visit(page, site.page_url(info.path))
                results = await axe.run(page)
                for violation in results.response["violations"]:
                    items.append((where, _describe(violation), violation["id"]))
            except Exception as exc:
                items.append((where, f"axe could not run: {exc}".splitlines()[0], "axe-error"))
            finally:
                await page.close()

        await gather_limited(BROWSER_TABS, [one(info, s, w) for info in pages for s in SCHEMES for w in WIDTHS])
        for context in contexts.values():
            await context.close()
    return items


def check(site: Site) -> Outcome:
    if not site.url:
        raise ValueError("the axe gate needs the site served (Site.url)")
    pages = representative_pages(site)
    items = run_async(_run(site, pages))
    table = [{"lang": p.lang, "page type": p.page_type, "page": site.rel(p.path)} for p in pages]
    return Outcome(group_findings(items), table=table,
                   notes=[f"{len(pages)} page types x {len(SCHEMES)} colour schemes x widths "
                          f"{', '.join(f'{w} px' for w in WIDTHS)}"])
