"""``{% head_meta %}``: canonical link, alternates, OpenGraph/Twitter tags, icons and JSON-LD
in the ``<head>`` of ``base.html`` (built by ``actionplan.page_meta``).

The tag reads the page's own blocks — ``title``, ``description``, ``breadcrumb`` and an optional
``og_title`` — so no view has to pass anything: a page that wants another share title than its
``<title>`` defines ``{% block og_title %}``.
"""

from django import template
from django.template.loader import render_to_string
from django.template.loader_tags import BLOCK_CONTEXT_KEY

from actionplan import page_meta

register = template.Library()


def render_block(context, name: str) -> str | None:
    """The page's block ``name`` rendered as ``{% block %}`` would (``block.super`` included),
    or None when the template defines no such block."""
    block_context = context.render_context.get(BLOCK_CONTEXT_KEY)
    if block_context is None:
        return None
    block = block_context.pop(name)
    if block is None:
        return None
    try:
        with context.push():
            node = type(block)(block.name, block.nodelist)
            node.context = context
            context["block"] = node
            return node.nodelist.render(context)
    finally:
        block_context.push(name, block)


@register.simple_tag(takes_context=True)
def head_meta(context) -> str:
    title = page_meta.plain_text(render_block(context, "og_title")) or page_meta.plain_text(
        render_block(context, "title")
    )
    meta = page_meta.page_meta(
        context,
        title=title,
        description=page_meta.plain_text(render_block(context, "description")),
        breadcrumb=render_block(context, "breadcrumb"),
    )
    return render_to_string("includes/_head_meta.html", meta)


@register.inclusion_tag("includes/_embed_snippet.html", takes_context=True)
def embed_snippet(context, obj) -> dict:
    """The “Embed” box under a published plan or measure: a copy-paste ``<iframe>`` for the
    embed view (embeds/), shown only where some site may frame it
    (``PLANWERK_EMBED_FRAME_ANCESTORS``)."""
    return page_meta.embed_snippet(obj, plan=context.get("plan"))
