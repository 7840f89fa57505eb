"""一次性告知: what a service's visitor is told once and whole, before they queue.

A service keeps it as JSON (Service.told_once): the legal basis, the materials with how
many originals and copies of each, the fee, the place, and how to appeal, each in Chinese
and English. The time limit is the service's own (Service.time_limit_days), never
repeated here, so the two cannot disagree. The admin editor and the bureau file
(qhall.configure, qhall.seed) both come through clean(); pages read notice_view().
"""

from __future__ import annotations

import json

from qhall.errors import BadInput
from qhall.inputs import strip_unseen
from qhall.models import Service

# The bilingual texts a notice may carry, in the order a visitor reads them, with their
# labels and the longest text allowed.
TEXTS = {
    "legal_basis": ("办理依据", "Legal basis", 1000),
    "fee": ("收费标准", "Fee", 200),
    "place": ("办理地点", "Place", 300),
    "appeal": ("救济途径", "How to appeal", 1000),
}
MATERIAL_FIELDS = ("name_zh", "name_en", "originals", "copies", "note_zh", "note_en")
MAX_MATERIALS = 30
MAX_COUNT = 20  # originals or copies of one material
MAX_JSON = 20_000  # characters of the whole notice as typed


def clean(raw, zh: str = "一次性告知", en: str = "Told-once notice") -> str:
    """Return a notice as stored: JSON text of the known fields, checked and trimmed.

    raw is JSON text (the editor) or a table (the bureau file); "" or {} is no notice.
    BadInput names the part that does not fit.
    """
    if isinstance(raw, str):
        if len(raw) > MAX_JSON:
            raise BadInput(f"{zh}过长。", f"The {en} is too long.")
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as error:
            raise BadInput(
                f"{zh}应为 JSON 对象（第 {error.lineno} 行有误）。",
                f"The {en} must be a JSON object (see line {error.lineno}).",
            ) from None
    if not isinstance(raw, dict):
        raise BadInput(f"{zh}应为 JSON 对象。", f"The {en} must be a JSON object.")
    if "time_limit" in raw or "time_limit_days" in raw:
        raise BadInput(
            "办理时限取自业务的“承诺时限”，请不要在一次性告知中重复填写。",
            "The time limit comes from the service's own time limit; leave it out here.",
            field="time_limit",
        )
    unknown = sorted(set(raw) - set(TEXTS) - {"materials"})
    if unknown:
        raise BadInput(
            f"{zh}有未知项：{', '.join(unknown)}。",
            f"The {en} has unknown parts: {', '.join(unknown)}.",
            allowed=[*TEXTS, "materials"],
        )
    notice: dict = {}
    for name, (label_zh, label_en, limit) in TEXTS.items():
        if raw.get(name) not in (None, "", {}):
            notice[name] = _pair(raw[name], label_zh, label_en, limit)
    materials = raw.get("materials") or []
    if not isinstance(materials, list) or len(materials) > MAX_MATERIALS:
        raise BadInput(
            f"所需材料应为不超过 {MAX_MATERIALS} 项的列表。",
            f"The materials must be a list of at most {MAX_MATERIALS}.",
            field="materials",
        )
    if materials:
        notice["materials"] = [_material(item, n) for n, item in enumerate(materials, 1)]
    return json.dumps(notice, ensure_ascii=False) if notice else "{}"


def _text(value, label_zh: str, label_en: str, limit: int, *, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadInput(f"{label_zh}应为文字。", f"{label_en} must be text.")
    text = strip_unseen(value).strip()
    if required and not text:
        raise BadInput(f"请填写{label_zh}。", f"Please fill in {label_en}.")
    if len(text) > limit:
        raise BadInput(f"{label_zh}过长。", f"{label_en} is too long.")
    return text


def _pair(value, label_zh: str, label_en: str, limit: int) -> dict:
    """Return {"zh", "en"}: a visitor reads either language, so both are required."""
    if not isinstance(value, dict) or set(value) - {"zh", "en"}:
        raise BadInput(
            f"{label_zh}应写成中文（zh）和英文（en）两项。",
            f"{label_en} must have a Chinese (zh) and an English (en) text.",
        )
    return {
        "zh": _text(value.get("zh"), f"{label_zh}（中文）", f"{label_en} (Chinese)", limit),
        "en": _text(value.get("en"), f"{label_zh}（英文）", f"{label_en} (English)", limit),
    }


def _material(item, n: int) -> dict:
    zh, en = f"第 {n} 项材料", f"Material {n}"
    if not isinstance(item, dict):
        raise BadInput(f"{zh}应为对象。", f"{en} must be an object.")
    unknown = sorted(set(item) - set(MATERIAL_FIELDS))
    if unknown:
        raise BadInput(
            f"{zh}有未知项：{', '.join(unknown)}。",
            f"{en} has unknown parts: {', '.join(unknown)}.",
            allowed=list(MATERIAL_FIELDS),
        )
    material = {
        "name_zh": _text(item.get("name_zh"), f"{zh}的中文名称", f"{en}'s Chinese name", 100),
        "name_en": _text(item.get("name_en"), f"{zh}的英文名称", f"{en}'s English name", 100),
    }
    for count, (count_zh, count_en) in {"originals": ("原件", "originals"),
                                        "copies": ("复印件", "copies")}.items():  # fmt: skip
        value = item.get(count, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT:
            raise BadInput(
                f"{zh}的{count_zh}份数应为 0 到 {MAX_COUNT} 的整数。",
                f"{en}: the number of {count_en} must be a whole number from 0 to {MAX_COUNT}.",
            )
        material[count] = value
    if material["originals"] + material["copies"] == 0:
        raise BadInput(
            f"{zh}请至少填写 1 份原件或复印件。",
            f"{en}: give at least one original or one copy.",
        )
    note_zh = _text(item.get("note_zh"), f"{zh}的中文说明", f"{en}'s Chinese note", 200,
                    required=False)  # fmt: skip
    note_en = _text(item.get("note_en"), f"{zh}的英文说明", f"{en}'s English note", 200,
                    required=False)  # fmt: skip
    if bool(note_zh) != bool(note_en):
        raise BadInput(
            f"{zh}的说明请同时填写中文和英文。",
            f"{en}: write its note in both Chinese and English.",
        )
    if note_zh:
        material.update(note_zh=note_zh, note_en=note_en)
    return material


def time_limit(days: int) -> dict:
    """Return the service's time limit in words, in both languages."""
    if not days:
        return {"zh": "即来即办，当场办结", "en": "Done on the spot"}
    return {"zh": f"承诺 {days} 个工作日内办结", "en": f"Completed within {days} working days"}


def notice_view(service: Service) -> dict:
    """Return a service's notice as pages show it: the stored parts, the time limit, and
    the free-text guide for a service whose notice is not written yet."""
    try:
        stored = json.loads(service.told_once or "{}")
    except json.JSONDecodeError:  # never saved so (clean() checks), but a page must not fail
        stored = {}
    if not isinstance(stored, dict):
        stored = {}
    return {
        "service": service.code,
        "service_name": service.name_zh,
        "service_name_en": service.name_en,
        **{name: stored.get(name) for name in TEXTS},
        "materials": stored.get("materials") or [],
        "time_limit": time_limit(service.time_limit_days),
        "guide": service.guide_zh,
        "guide_en": service.guide_en,
        "written": bool(stored),
    }
