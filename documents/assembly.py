"""Join tagged PDFs rendered part by part into one document (pikepdf).

A large plan is rendered chapter by chapter (``documents.chapters``) so that WeasyPrint never
holds the laid-out pages of the whole plan at once. This module puts the parts together as if
they had been rendered in one go:

- the pages, in order;
- the structure tree (PDF/UA): the tags of every part under the first part's ``Document``
  element, ``StructParents``/``StructParent`` keys renumbered into one ``ParentTree``, role
  and class maps and ID trees merged;
- the outline: every part's bookmarks, in order, pointing at the joined pages;
- named destinations: every part's own anchors; a part links to an anchor of another part
  through a placeholder anchor of the same name, which the owner's destination replaces, so
  the link annotations (``/Dest`` by name) lead to the right page;
- the footer „Seite X von Y“: known only once all parts are counted, so it comes from a
  footer document (one page per page of the whole, rendered by WeasyPrint with the same
  stylesheet), laid over each page as an artifact;
- document metadata, language and PDF/UA identification: those of the first part.

No WeasyPrint here: the parts and the footers come as bytes.
"""

import io
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, NumberTree, Operator, Pdf


@dataclass
class Part:
    """One rendered part and the anchors it owns (the others in it are placeholders)."""

    data: bytes
    owned: set[str] = field(default_factory=set)


def page_count(data: bytes) -> int:
    with Pdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def anchor_pages(data: bytes, names) -> dict[str, int]:
    """0-based page index of each of ``names`` that the PDF has a named destination for."""
    with Pdf.open(io.BytesIO(data)) as pdf:
        dests = _dests(pdf)
        index = {page.objgen: i for i, page in enumerate(pdf.pages)}
        found = {}
        for name in names:
            dest = dests.get(name)
            if dest is not None:
                found[name] = index[dest[0].objgen]
        return found


def _dests(pdf: Pdf) -> dict[str, Array]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    return {str(key): value for key, value in NameTree(names.Dests).items()}


def _parent_tree(pdf: Pdf) -> dict[int, object]:
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root:
        return {}
    return {int(key): value for key, value in NumberTree(root.ParentTree).items()}


def artifact_content(page: pikepdf.Page) -> bytes:
    """The page's content stream with every marked-content sequence made an artifact.

    WeasyPrint tags margin boxes as ``Span`` with an MCID; laid over another page that MCID
    would belong to no structure element, so the footer is marked as the page artifact it is.
    """
    ops = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) in ("BDC", "BMC"):
            ops.append(([Name.Artifact], Operator("BMC")))
        else:
            ops.append((operands, operator))
    return pikepdf.unparse_content_stream(ops)


def assemble(parts: list[Part], footer: bytes | None = None, *, footer_from: int = 1) -> bytes:
    """One PDF from ``parts`` (the first gives catalog, metadata and the ``Document`` tag).

    ``footer``: a PDF with as many pages as the whole; its page *i* is laid over page *i*
    from ``footer_from`` on (the cover has no footer).
    """
    base = Pdf.open(io.BytesIO(parts[0].data))
    sources = [base] + [Pdf.open(io.BytesIO(part.data)) for part in parts[1:]]
    try:
        return _assemble(base, sources, parts, footer, footer_from)
    finally:
        for pdf in sources:
            pdf.close()


def _assemble(base, sources, parts, footer, footer_from) -> bytes:
    struct_root = base.Root.StructTreeRoot
    document = struct_root.K[0] if isinstance(struct_root.K, Array) else struct_root.K
    parent_tree = _parent_tree(base)
    next_key = max(parent_tree, default=-1) + 1
    dests = {name: dest for name, dest in _dests(base).items() if name in parts[0].owned}
    outline_items = []
    role_map = Dictionary(struct_root.get("/RoleMap", Dictionary()))
    class_map = Dictionary(struct_root.get("/ClassMap", Dictionary()))
    id_tree = dict(NameTree(struct_root.IDTree).items()) if "/IDTree" in struct_root else {}

    for src, part in zip(sources[1:], parts[1:], strict=True):
        first_new = len(base.pages)
        page_map = {}
        offset = next_key
        src_tree = _parent_tree(src)
        for i, page in enumerate(src.pages):
            base.pages.append(page)
            new_page = base.pages[first_new + i]
            page_map[page.objgen] = new_page.obj
            if "/StructParents" in new_page.obj:
                new_page.obj.StructParents = int(new_page.obj.StructParents) + offset
            for annot in new_page.obj.get("/Annots", Array()):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + offset

        # Tags: the part's Document children join the first part's Document.
        src_root = src.Root.StructTreeRoot
        src_document = src_root.K[0] if isinstance(src_root.K, Array) else src_root.K
        kids = src_document.K if isinstance(src_document.K, Array) else Array([src_document.K])
        # Children of the part's Document: those in its K, and (WeasyPrint) the NonStruct
        # elements of the page margins, which name it as parent without being in its K.
        children = _children_of(src_document, kids, src_tree.values())
        for child in children:
            del child.P  # do not copy the part's own root along with it
        for kid in kids:
            document.K.append(base.copy_foreign(kid))
        for key, value in src_tree.items():
            if isinstance(value, Array) and not value.is_indirect:
                parent_tree[key + offset] = Array(
                    base.copy_foreign(v) if v.is_indirect else v for v in value
                )
            else:
                parent_tree[key + offset] = base.copy_foreign(value)
        for child in children:
            base.copy_foreign(child).P = document  # the copy made above
        next_key = max(next_key, max(src_tree, default=-1) + offset + 1)
        for key, value in src_root.get("/RoleMap", Dictionary()).items():
            if key not in role_map:
                role_map[key] = value
        for key, value in src_root.get("/ClassMap", Dictionary()).items():
            if key not in class_map:
                class_map[key] = base.copy_foreign(value) if value.is_indirect else value
        if "/IDTree" in src_root:
            for key, value in NameTree(src_root.IDTree).items():
                id_tree.setdefault(str(key), base.copy_foreign(value))

        for name, dest in _dests(src).items():
            if name in part.owned:
                dests[name] = _dest(dest, page_map)
        with src.open_outline() as outline:
            outline_items.extend(_outline(item, page_map) for item in outline.root)

    _write_parent_tree(base, struct_root, parent_tree, next_key)
    if len(role_map):
        struct_root.RoleMap = role_map
    if len(class_map):
        struct_root.ClassMap = class_map
    if id_tree:
        struct_root.IDTree = _name_tree(base, id_tree)
    names = base.Root.get("/Names")
    if names is None:
        base.Root.Names = names = Dictionary()
    names.Dests = _name_tree(base, dests)
    with base.open_outline() as outline:
        outline.root.extend(outline_items)
    if footer is not None:
        _lay_over_footer(base, footer, footer_from)
    out = io.BytesIO()
    base.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _children_of(document, kids, parent_tree_values) -> list:
    """Structure elements whose parent is ``document``, each once.

    Every element is walked up at most once: a walk stops at an element an earlier walk has
    passed (its way up is known), so a 1,000-measure plan's ~37,000 marked elements cost one
    step each instead of one per ancestor."""
    found = {}
    for kid in kids:
        if isinstance(kid, Dictionary):
            found[kid.objgen] = kid
    top = document.objgen
    visited = set()
    for value in parent_tree_values:
        for element in value if isinstance(value, Array) else [value]:
            while isinstance(element, Dictionary) and "/P" in element:
                key = element.objgen
                if key in visited:
                    break
                visited.add(key)
                parent = element.P
                if parent.objgen == top:
                    found.setdefault(key, element)
                    break
                element = parent
    return list(found.values())


def _dest(dest: Array, page_map) -> Array:
    """An explicit destination of a part, pointing at the joined page."""
    return Array([page_map[dest[0].objgen], *list(dest)[1:]])


def _outline(item: pikepdf.OutlineItem, page_map) -> pikepdf.OutlineItem:
    dest = item.destination
    if isinstance(dest, Array) and len(dest) and dest[0].objgen in page_map:
        new = pikepdf.OutlineItem(item.title, _dest(dest, page_map))
    else:  # a named destination: names are kept
        new = pikepdf.OutlineItem(item.title, dest, action=item.action)
    new.is_closed = item.is_closed
    new.children.extend(_outline(child, page_map) for child in item.children)
    return new


def _write_parent_tree(pdf, struct_root, entries: dict, next_key: int) -> None:
    nums = Array()
    for key in sorted(entries):
        nums.append(key)
        nums.append(entries[key])
    struct_root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    struct_root.ParentTreeNextKey = next_key


def _name_tree(pdf, entries: dict) -> Dictionary:
    """A flat name tree; keys sorted by their bytes, as the format requires."""
    names = Array()
    for key in sorted(entries, key=lambda k: k.encode("utf-8")):
        names.append(pikepdf.String(key))
        names.append(entries[key])
    return pdf.make_indirect(Dictionary(Names=names))


def _lay_over_footer(base: Pdf, footer: bytes, footer_from: int) -> None:
    with Pdf.open(io.BytesIO(footer)) as footer_pdf:
        if len(footer_pdf.pages) != len(base.pages):
            raise ValueError(
                f"footer has {len(footer_pdf.pages)} pages for {len(base.pages)} pages"
            )
        for index in range(footer_from, len(base.pages)):
            source = footer_pdf.pages[index]
            source.obj.Contents = footer_pdf.make_stream(artifact_content(source))
            form = base.copy_foreign(source.as_form_xobject())
            page = base.pages[index]
            name = page.add_resource(form, Name.XObject, prefix="Footer")
            # WeasyPrint's content starts with an unbalanced ``cm`` (flip to top-down): keep
            # it inside q … Q so the footer is drawn in the page's own coordinates.
            page.contents_add(b"q\n", prepend=True)
            page.contents_add(b"\nQ\n/Artifact BMC q " + name.unparse() + b" Do Q EMC\n")
