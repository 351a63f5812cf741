"""schema.org JSON-LD for the templates, every value from the front matter, the settings or
the datapackage. Templates write them with ``|tojson``, which escapes ``<``, ``>``, ``&`` and
``'`` so that no value can close the ``<script>`` block or break out of it."""

from __future__ import annotations

from jinja2 import pass_context
from markupsafe import Markup

from .addresses import abs_url, page_path, site_base

CONTEXT = "https://schema.org"


def _plain(value) -> str:
    return Markup(str(value or "")).striptags()


def _site_names(ctx) -> list[str]:
    names = {str(ctx.get("SITENAME", ""))}
    names.update(str(v) for v in (ctx.get("DATADESK_SITE_NAMES") or {}).values())
    return [n for n in names if n]


def _organisation(ctx) -> dict:
    home = site_base(ctx) + "/"
    org = {"@type": "NewsMediaOrganization", "name": str(ctx["SITENAME"]), "url": home}
    logo = ctx.get("DISCOVERY_LOGO")
    if logo:
        org["logo"] = {"@type": "ImageObject", "url": abs_url(ctx, logo, ctx.get("MAIN_LANG"))}
    return org


def _person_or_newsroom(ctx, name: str) -> dict:
    # A byline naming the site itself ("Rédaction Front de l'énergie", "Energy Front desk")
    # is the newsroom, an organisation; any other byline is a person.
    if any(site in name for site in _site_names(ctx)):
        return {"@type": "Organization", "name": name, "url": site_base(ctx) + "/"}
    return {"@type": "Person", "name": name}


@pass_context
def news_article_ld(ctx, article, card: str = "") -> dict:
    url = abs_url(ctx, page_path(article.save_as))
    modified = getattr(article, "modified", None) or article.date
    data = {
        "@context": CONTEXT, "@type": "NewsArticle",
        "headline": str(article.title),  # plain text already (never decoded: issue 13)
        "description": _plain(getattr(article, "summary", "")),
        "url": url, "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.date.isoformat(), "dateModified": modified.isoformat(),
        "inLanguage": article.lang,
        "author": [_person_or_newsroom(ctx, str(a)) for a in getattr(article, "authors", []) or []],
        "publisher": _organisation(ctx),
    }
    if card:
        data["image"] = [abs_url(ctx, card)]
    if getattr(article, "category", None):
        data["articleSection"] = str(article.category)
    if getattr(article, "tags", None):
        data["keywords"] = [str(t) for t in article.tags]
    declared = article.metadata.get("datasets") or []
    names = declared if isinstance(declared, list) else str(declared).split(",")
    datasets = ctx.get("DATASETS") or {}
    based = [{"@type": "Dataset", "name": datasets[n]["title"], "url": abs_url(ctx, datasets[n]["url"])}
             for n in (x.strip() for x in names) if n in datasets]
    if based:
        data["isBasedOn"] = based
    return data


@pass_context
def dataset_ld(ctx, d: dict, catalog_dir: str) -> dict:
    """The catalogue's Dataset description (plugins/datadesk/datasets) with every address absolute,
    in the preview too, and the catalogue it belongs to."""
    import posixpath

    data = dict(d["jsonld"])
    data["@context"] = CONTEXT
    data["url"] = abs_url(ctx, d["page_url"])
    main = ctx.get("MAIN_LANG") or ctx["DEFAULT_LANG"]
    if d.get("csv"):
        csv = f"{catalog_dir}/{posixpath.basename(d['resource']['path'])}"
        data["distribution"] = [
            {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": abs_url(ctx, csv, main)},
            {"@type": "DataDownload", "encodingFormat": "application/json",
             "contentUrl": abs_url(ctx, f"{catalog_dir}/datapackage.json", main)}]
    else:
        data.pop("distribution", None)
    data["includedInDataCatalog"] = {"@type": "DataCatalog", "name": str(ctx["SITENAME"]),
                                     "url": abs_url(ctx, f"{catalog_dir}/")}
    return data


@pass_context
def breadcrumbs_ld(ctx, trail: list) -> dict:
    """``[(name, path), …]`` from the home page down to this page (paths relative to the site root)."""
    return {"@context": CONTEXT, "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": i, "name": _plain(name), "item": abs_url(ctx, path)}
        for i, (name, path) in enumerate(trail, start=1)]}


@pass_context
def website_ld(ctx, description: str = "") -> dict:
    data = {"@context": CONTEXT, "@type": "WebSite", "name": str(ctx["SITENAME"]),
            "url": site_base(ctx) + "/", "inLanguage": ctx["DEFAULT_LANG"], "publisher": _organisation(ctx)}
    if description:
        data["description"] = _plain(description)
    return data


FILTERS = {"news_article_ld": news_article_ld, "dataset_ld": dataset_ld, "breadcrumbs_ld": breadcrumbs_ld,
           "website_ld": website_ld}
