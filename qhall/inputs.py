"""Cleaning what people type before it is kept: free text within a length, a list of
materials, a phone number. Each raises BadInput with a polite message."""

from __future__ import annotations

from qhall.errors import BadInput

MAX_TEXT = 2000


def clean_text(value: str | None, name: str, *, required: bool = False, limit: int = MAX_TEXT):
    """Return value stripped; BadInput if required and empty, or too long."""
    text = (value or "").strip()
    if required and not text:
        raise BadInput(f"请填写{name}。", f"Please fill in the {name}.", field=name)
    if len(text) > limit:
        raise BadInput(f"{name}过长。", f"The {name} is too long.", field=name)
    return text


def clean_materials(materials) -> list[dict]:
    """Return materials as [{"name", "quantity"}]; BadInput for anything else."""
    cleaned = []
    for item in materials or []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise BadInput("材料清单格式不正确。", "Each material needs a name and a quantity.")
        quantity = item.get("quantity", 1)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 999:
            raise BadInput("材料份数应为 1 到 999。", "A material's quantity must be 1 to 999.")
        name = clean_text(item["name"], "材料名称", required=True, limit=100)
        cleaned.append({"name": name, "quantity": quantity})
    return cleaned


def clean_phone(value: str | None) -> str:
    phone = (value or "").strip().replace(" ", "").replace("-", "")
    if phone and (not phone.lstrip("+").isdigit() or not 5 <= len(phone) <= 20):
        raise BadInput("联系电话格式不正确。", "The phone number is not valid.")
    return phone
