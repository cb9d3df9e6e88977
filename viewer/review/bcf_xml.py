"""The XML of a BCF file, parsed so that it cannot hurt: no entity is expanded, no DTD loaded, nothing fetched
from the network or the disk, libxml2's size limits on (huge_tree off), and a DOCTYPE that declares entities (an
entity bomb, or an external entity naming a local file) refused before libxml2 sees it. BCF files have no DOCTYPE.

Elements are looked up by local name: BCF has no namespace, but some tools write one anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from viewer.review.bcf_archive import BcfError

_DOCTYPE = re.compile(r"<!DOCTYPE\s[^\[>]*(\[(?P<subset>.*?)\]\s*)?>", re.DOTALL)
_ENTITY = re.compile(r"<!ENTITY\s+(?:%\s*)?(?P<name>[^\s\"'>]+)")


def hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
        remove_pis=True, collect_ids=False,
    )  # fmt: skip


_PARSER = hardened_parser()


def _declared_entities(data: bytes) -> list[str]:
    head = data[: 1 << 20]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        little = head[:2] == b"\xff\xfe" or head[1:2] == b"\x00"
        text = head.decode("utf-16-le" if little else "utf-16-be", errors="ignore")
    else:
        text = head.decode("latin-1")
    doctype = _DOCTYPE.search(text)
    if doctype is None:
        return []
    return [m.group("name") for m in _ENTITY.finditer(doctype.group("subset") or "")]


def _refuse(file: str, member: str, names: list[str]) -> None:
    if names:
        shown = ", ".join(repr(n) for n in names[:5]) + (" ..." if len(names) > 5 else "")
        raise BcfError.single(
            file, f"{member}, line 1, DOCTYPE",
            f"declares XML entities ({shown}); they are never expanded or fetched (an entity bomb or an external "
            "reference): a BCF file has no DOCTYPE",
        )  # fmt: skip


def parse_xml(data: bytes, file: str, member: str, expected: str, *, strip: bool = True) -> etree._Element:
    """The root element of a member, or BcfError naming the file, the member, the line and `expected` (the
    root element wanted, e.g. "Markup"). With `strip`, namespaces are taken off the tags."""
    _refuse(file, member, _declared_entities(data))
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line, column = exc.lineno or 1, exc.offset or 0
        text = exc.msg or str(exc)
        raise BcfError.single(file, f"{member}, line {line}, column {column}",
                              f"not well-formed XML: {text} (expected a {expected} document)") from exc  # fmt: skip
    except ValueError as exc:  # bytes lxml cannot take at all
        raise BcfError.single(file, f"{member}, line 1", f"not an XML document ({exc}); expected {expected}") from exc
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None:  # what the text scan could not see (another encoding)
        _refuse(file, member, [str(e.name) for e in dtd.iterentities()])
    if _local(root.tag) != expected:
        raise BcfError.single(file, f"{member}, line {root.sourceline}",
                              f"expected a <{expected}> root element, got <{_local(root.tag)}>")  # fmt: skip
    if strip and isinstance(root.tag, str) and root.tag.startswith("{"):
        for element in root.iter():
            if isinstance(element.tag, str) and element.tag.startswith("{"):
                element.tag = _local(element.tag)
    return root


def _local(tag: object) -> str:
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return element.find(name)


def children(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if element is None:
        return iter(())
    return iter(element.findall(name))


def text(element: etree._Element | None, name: str, default: str = "") -> str:
    """The stripped text of a child element, `default` when it is missing or empty."""
    found = child(element, name)
    value = (found.text or "").strip() if found is not None else ""
    return value or default


def place(member: str, element: etree._Element | None) -> str:
    line = element.sourceline if element is not None else None
    return f"{member}, line {line}" if line else member


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def raw_text(element: etree._Element | None, name: str) -> str:
    """A child's text exactly as written (free text: a title, a description, a comment)."""
    found = child(element, name)
    return (found.text or "") if found is not None else ""
