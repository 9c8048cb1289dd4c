"""DA/T 70's four checks of an electronic file, and its format identified by content.

Formats accepted for long-term keeping (the list the DA/T 47/DA/T 70 practice of Chinese archives
names for documents and images; decided here, documented in docs/modules.md): PDF/A and PDF, OFD
(GB/T 33190), TIFF, JPEG, PNG, XML and plain text (UTF-8). Anything else (Word, Excel, ZIP, …) is
kept but flagged, so that the archive staff convert it.

The text of a TXT or XML file and the text layer of a PDF are kept for full-text search; image scans
are not OCR'd (they are found by their description)."""

import hashlib
import io
import zipfile
from dataclasses import dataclass, field

import puremagic
from django.utils.translation import gettext as _

LONG_TERM = {"pdfa", "pdf", "ofd", "tiff", "jpeg", "png", "xml", "txt"}
LABELS = {"pdfa": "PDF/A", "pdf": "PDF", "ofd": "OFD", "tiff": "TIFF", "jpeg": "JPEG", "png": "PNG",
          "xml": "XML", "txt": "TXT"}  # fmt: skip
MAX_BYTES = 50 * 1024 * 1024


@dataclass
class Identified:
    format: str  # pdfa, pdf, ofd, tiff, jpeg, png, xml, txt, or the detected extension, or "unknown"
    mime: str
    long_term: bool
    text: str = ""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _utf8_text(data: bytes) -> str | None:
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


MAX_TEXT = 200_000  # characters of a file's text kept for full-text search
MAX_TEXT_PAGES = 500


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF (pypdf), for full-text search; "" for a scan without one or a PDF
    that cannot be read (the four checks report that). Image scans are not OCR'd."""
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable files warn loudly
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return ""
        out, size = [], 0
        for page in reader.pages[:MAX_TEXT_PAGES]:
            t = page.extract_text() or ""
            out.append(t)
            size += len(t)
            if size >= MAX_TEXT:
                break
    except Exception:  # noqa: BLE001  (a damaged PDF has no searchable text; the checks say why)
        return ""
    return "\n".join(out).replace("\x00", "").strip()[:MAX_TEXT]


def identify(data: bytes) -> Identified:
    """The format by the bytes (magic numbers, then structure), never by the file name."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if any(n.upper().endswith("OFD.XML") for n in z.namelist()):
                    return Identified("ofd", "application/ofd", True)
        except zipfile.BadZipFile:
            pass
    try:
        found = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        found = []
    mimes = {m.mime_type for m in found}
    exts = [m.extension.lstrip(".").lower() for m in found]
    if "application/pdf" in mimes:
        pdfa = b"pdfaid:part" in data or b"pdfaid:part" in data.replace(b" ", b"")
        return Identified("pdfa" if pdfa else "pdf", "application/pdf", True, pdf_text(data))
    for fmt, mime in (("png", "image/png"), ("jpeg", "image/jpeg"), ("tiff", "image/tiff")):
        if mime in mimes:
            return Identified(fmt, mime, True)
    text = _utf8_text(data)
    if "xml" in exts or (text is not None and text.lstrip("\ufeff \r\n\t").startswith("<?xml")):
        return Identified("xml", "application/xml", True, text or "")
    if found:
        best = found[0]
        return Identified(exts[0] or "unknown", best.mime_type or "application/octet-stream", False)
    if text is not None:
        return Identified("txt", "text/plain", True, text)
    return Identified("unknown", "application/octet-stream", False)


def readable(fmt: str, data: bytes) -> bool:
    """Can the file be opened as what it claims to be (not truncated or corrupt)?"""
    try:
        if fmt in ("pdf", "pdfa"):
            return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]
        if fmt in ("png", "jpeg", "tiff"):
            from PIL import Image

            with Image.open(io.BytesIO(data)) as img:
                img.verify()
            return True
        if fmt == "xml":
            from xml.parsers import expat

            def refuse(*_args):  # no entity declarations: no entity-expansion bombs
                raise ValueError("entity")

            parser = expat.ParserCreate()
            parser.EntityDeclHandler = refuse
            parser.Parse(data, True)
            return True
        if fmt == "txt":
            return _utf8_text(data) is not None
        if fmt == "ofd":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return z.testzip() is None
    except Exception:  # noqa: BLE001  (any failure to open is the answer: not readable)
        return False
    return False


@dataclass
class Outcome:
    authenticity: bool = True
    integrity: bool = True
    usability: bool = True
    safety: bool = True
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.authenticity and self.integrity and self.usability and self.safety


def four_checks(f, item) -> Outcome:
    """Check one stored file (ItemFile) of an item: hash, metadata, readability and format, storage."""
    out = Outcome()
    data = bytes(f.data) if f.data is not None else None
    if data is None or len(data) != f.size:
        out.safety = False
        out.problems.append(_("文件“%(n)s”的存储内容缺失或大小不符。") % {"n": f.name})
    if data is not None and sha256(data) != f.sha256:
        out.authenticity = False
        out.problems.append(
            _("文件“%(n)s”的 SHA-256 与归档时记录的不一致，文件可能已被改动。") % {"n": f.name}
        )
    missing = [label for label, value in (
        (_("题名"), item.title), (_("责任者"), item.responsible), (_("文件日期"), item.date),
        (_("档号"), item.reference), (_("保管期限"), item.retention), (_("页数"), item.pages),
    ) if not value]  # fmt: skip
    if missing:
        out.integrity = False
        out.problems.append(_("著录项目不完整：缺少%(m)s。") % {"m": "、".join(str(m) for m in missing)})
    if data is not None:
        found = identify(data)
        if not readable(found.format, data) and found.format != "unknown" and found.long_term:
            out.usability = False
            out.problems.append(
                _("文件“%(n)s”无法按 %(f)s 格式打开，可能已损坏。") % {"n": f.name, "f": found.format.upper()}
            )
        if not found.long_term:
            out.usability = False
            out.problems.append(
                _(
                    "文件“%(n)s”的格式（%(f)s）不是长期保存格式，请转换为 PDF/A、OFD、TIFF、JPEG 或 PNG 后重新归档。"
                )
                % {"n": f.name, "f": found.format.upper()}
            )
    return out
