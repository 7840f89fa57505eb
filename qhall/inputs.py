"""Cleaning what people type before it is kept: free text within a length, a name on one
line, a list of materials, a phone number. Each raises BadInput with a polite message.

Whatever is kept loses the characters nobody means to type: NUL and the other control
characters (free text keeps its line breaks and tabs), and the bidirectional overrides and
isolates that make a name read backwards on a screen or a printed ticket ("Trojan source")."""

from __future__ import annotations

from qhall.errors import BadInput

# The longest string a request may bring (qhall.web.schema holds every string field to
# it), and the longest name.
MAX_TEXT = 2000
MAX_NAME = 100

# U+061C ALM, U+200E/U+200F LRM/RLM, U+202A-U+202E embeddings and overrides,
# U+2066-U+2069 isolates.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]  # C0, DEL and C1
_UNSEEN = dict.fromkeys([*_CONTROLS, *map(ord, BIDI_CONTROLS)])
_UNSEEN_IN_TEXT = {code: None for code in _UNSEEN if code not in (0x09, 0x0A)}


def strip_unseen(value: str, *, one_line: bool = False) -> str:
    """Return value without control or bidi-override characters; with one_line, its tabs
    and line breaks become spaces (a name), else they stay (free text). Not stripped of
    spaces."""
    if one_line:
        value = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        return value.replace("\t", " ").translate(_UNSEEN)
    return value.replace("\r\n", "\n").translate(_UNSEEN_IN_TEXT)


def clean_text(
    value: str | None,
    name: str,
    *,
    required: bool = False,
    limit: int = MAX_TEXT,
    one_line: bool = False,
) -> str:
    """Return value stripped of spaces and unseen characters; BadInput if required and
    empty, or too long."""
    text = strip_unseen(value or "", one_line=one_line).strip()
    if required and not text:
        raise BadInput(f"请填写{name}。", f"Please fill in the {name}.", field=name)
    if len(text) > limit:
        raise BadInput(f"{name}过长。", f"The {name} is too long.", field=name)
    return text


def clean_name(
    value: str | None, name: str, *, required: bool = False, limit: int = MAX_NAME
) -> str:
    """Return a name (a person's, a unit's, a material's) cleaned as text, on one line."""
    return clean_text(value, name, required=required, limit=limit, one_line=True)


def clean_materials(materials) -> list[dict]:
    """Return materials as [{"name", "quantity"}]; BadInput for anything else."""
    cleaned = []
    for item in materials or []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise BadInput("材料清单格式不正确。", "Each material needs a name and a quantity.")
        quantity = item.get("quantity", 1)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 999:
            raise BadInput("材料份数应为 1 到 999。", "A material's quantity must be 1 to 999.")
        name = clean_name(item["name"], "材料名称", required=True)
        cleaned.append({"name": name, "quantity": quantity})
    return cleaned


def clean_phone(value: str | None) -> str:
    """Return a phone number without spaces or dashes; BadInput if it is not one."""
    phone = (value or "").strip().replace(" ", "").replace("-", "")
    if phone and (not phone.lstrip("+").isdigit() or not 5 <= len(phone) <= 20):
        raise BadInput("联系电话格式不正确。", "The phone number is not valid.")
    return phone
