"""limner annotations, ids and statuses in Clarifai's annotation model (v2 REST, snake_case).

One limner region is one Clarifai annotation holding one region; its id is limner's uuid
as 32 hex digits (Clarifai lets the client choose annotation ids). The exact pixel
geometry and the attributes Clarifai has no place for travel in the annotation's
free-form ``annotation_info`` under ``limner`` (JSON text), beside the region itself.
An image tag is an annotation with concepts and no region (Clarifai's classification):
the concepts said to be present are the tag's choices.

:func:`read_annotation` reads one annotation as the server sent it into a
:class:`Reading`: a shape or a tag, or why limner leaves it as it is (a tag saying some
concepts are absent, several regions or concepts, a kind limner lacks: kept) or cannot
take it at all (broken on the server: malformed). :func:`annotation_raw` and
:func:`tag_annotation_raw` write one; replacing the server's copy they keep everything
limner does not own, so an edit changes only what limner changed.

Statuses: each annotation has one (pending, awaiting review, success, review denied)
and the image status is derived from them (:func:`derive_status`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import uuid as uuidlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from limner.models.domain.geometry import Geometry, Mask, Tag, geometry_to_json
from limner.sync.adapters.clarifai_geometry import (
    ClarifaiFormatError,
    MalformedError,
    exact_geometry,
    geometry_from_region_info,
)

# -- status codes (clarifai.api.status.StatusCode) -----------------------------------------
SUCCESS = 10000
MIXED_STATUS = 10010
FAILURE = 10020
TRY_AGAIN = 10030
NOT_IMPLEMENTED = 10040

ANNOTATION_SUCCESS = 24150
ANNOTATION_PENDING = 24151
ANNOTATION_FAILED = 24152
ANNOTATION_UNKNOWN_STATUS = 24154
ANNOTATION_AWAITING_REVIEW = 24157
ANNOTATION_REVIEW_DENIED = 24158
ANNOTATION_AWAITING_CONSENSUS_REVIEW = 24159
ANNOTATION_MODIFY_SUCCESS = 24250
ANNOTATION_MODIFY_PENDING = 24251

AUTH_CODES = frozenset({11001, 11002, 11007, 11008, 11009})
QUOTA_CODES = frozenset({11003, 11004, 11006})
THROTTLED = 11005
DUPLICATE_KEY = 40010  # DATABASE_DUPLICATE_KEY: an id that exists already
NOT_FOUND_CODES = frozenset({11101, 30102, 54102, 21200})
RETRY_CODES = frozenset(
    {TRY_AGAIN, THROTTLED, 40011, 40013, 40015, 40016, 40030, 40031, 40032, 40034, 90500}
    | set(range(98000, 98100))
    | {99009}
)

# Status names a response might carry instead of numbers (requests may use either).
_CODE_NAMES = {
    "SUCCESS": SUCCESS,
    "MIXED_STATUS": MIXED_STATUS,
    "FAILURE": FAILURE,
    "TRY_AGAIN": TRY_AGAIN,
    "CONN_THROTTLED": THROTTLED,
    "ANNOTATION_SUCCESS": ANNOTATION_SUCCESS,
    "ANNOTATION_PENDING": ANNOTATION_PENDING,
    "ANNOTATION_FAILED": ANNOTATION_FAILED,
    "ANNOTATION_UNKNOWN_STATUS": ANNOTATION_UNKNOWN_STATUS,
    "ANNOTATION_AWAITING_REVIEW": ANNOTATION_AWAITING_REVIEW,
    "ANNOTATION_REVIEW_DENIED": ANNOTATION_REVIEW_DENIED,
    "ANNOTATION_AWAITING_CONSENSUS_REVIEW": ANNOTATION_AWAITING_CONSENSUS_REVIEW,
    "ANNOTATION_MODIFY_SUCCESS": ANNOTATION_MODIFY_SUCCESS,
    "ANNOTATION_MODIFY_PENDING": ANNOTATION_MODIFY_PENDING,
}

# An item of a batch answer whose status is one of these was stored; anything else
# (24152 failed, 24155 invalid argument, 24156 permission denied, 40010 duplicate...) not.
STORED_ITEM_CODES = frozenset(
    {
        SUCCESS,
        ANNOTATION_SUCCESS,
        ANNOTATION_PENDING,
        ANNOTATION_AWAITING_REVIEW,
        ANNOTATION_REVIEW_DENIED,
        ANNOTATION_AWAITING_CONSENSUS_REVIEW,
        ANNOTATION_MODIFY_SUCCESS,
        ANNOTATION_MODIFY_PENDING,
    }
)

# limner's canonical status -> the annotation status that says it.
STATUS_TO_CODE: Mapping[str, int] = {
    "new": ANNOTATION_PENDING,
    "in_progress": ANNOTATION_PENDING,
    "submitted": ANNOTATION_AWAITING_REVIEW,
    "approved": ANNOTATION_SUCCESS,
    "rejected": ANNOTATION_REVIEW_DENIED,
    "skipped": ANNOTATION_PENDING,
}

META_KEY = "limner"


def status_code(value: Any) -> int | None:
    """A status code from a response (numbers) or a request (names); None if absent."""
    if isinstance(value, Mapping):
        value = value.get("code")
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        if value.isdigit():
            return int(value)
        return _CODE_NAMES.get(value)
    return None


def derive_status(codes: Iterable[int | None]) -> str:
    """The image status Clarifai's annotation statuses say, most urgent first."""
    found = [c for c in codes]
    if not found:
        return "new"
    if ANNOTATION_REVIEW_DENIED in found:
        return "rejected"
    if ANNOTATION_PENDING in found or ANNOTATION_MODIFY_PENDING in found:
        return "in_progress"
    if ANNOTATION_AWAITING_REVIEW in found or ANNOTATION_AWAITING_CONSENSUS_REVIEW in found:
        return "submitted"
    if all(c in (ANNOTATION_SUCCESS, ANNOTATION_MODIFY_SUCCESS, None) for c in found):
        return "approved"
    return "in_progress"


# -- ids ---------------------------------------------------------------------------------
_HEX32 = re.compile(r"[0-9a-f]{32}")
_DASHED = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def remote_id_for(local_uuid: str) -> str:
    """The annotation id limner chooses on create: its uuid as 32 hex digits."""
    if _DASHED.fullmatch(local_uuid):
        return uuidlib.UUID(local_uuid).hex
    return local_uuid


def local_uuid_for(remote_id: str) -> str:
    """The limner uuid of a remote annotation (the inverse of :func:`remote_id_for`)."""
    if _HEX32.fullmatch(remote_id):
        return str(uuidlib.UUID(remote_id))
    return remote_id


def concept_id_for(name: str, taken: Iterable[str]) -> str:
    """A concept id for a class created in limner: a slug, made unique if need be."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "class"
    if slug in set(taken):
        slug = f"{slug}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"
    return slug


# -- fingerprints ------------------------------------------------------------------------
def fingerprint(annotations: Iterable[Mapping[str, Any]]) -> str:
    """The version of an input's annotation set: edits move ``modified_at``, deletions the
    count and digest. Clarifai has no ETag, so this is what conflict checks compare."""
    items = sorted(
        (str(a.get("id", "")), str(a.get("modified_at", "")))
        for a in annotations
        if not a.get("input_level")
    )
    newest = max((m for _, m in items), default="") or "-"
    digest = hashlib.sha1(json.dumps(items).encode()).hexdigest()[:16]
    return f"{newest}#{len(items)}#{digest}"


@dataclass(frozen=True, slots=True)
class Reading:
    """What limner makes of one remote annotation.

    ``geometry`` is None when limner cannot represent it; then ``problem`` says why and
    ``malformed`` whether it is broken on the server rather than just foreign.
    """

    uuid: str
    remote_id: str
    concept_id: str | None = None
    geometry: Geometry | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    problem: str | None = None
    malformed: bool = False
    tag_concepts: tuple[str, ...] = ()
    """For an image tag (``geometry`` a Tag), the ids of the concepts it names."""


def annotation_info_for(geometry: Geometry, attributes: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"v": 1}
    if not isinstance(geometry, Mask):
        entry["geometry"] = json.dumps(geometry_to_json(geometry), separators=(",", ":"))
    if attributes:
        entry["attributes"] = json.dumps(dict(attributes), sort_keys=True, default=str)
    return {META_KEY: entry}


def _opaque(remote_id: str, annotation: Mapping[str, Any]) -> Reading | None:
    """Why an annotation is not one region limner can read (None when it may be)."""
    uuid = local_uuid_for(remote_id)
    data = annotation.get("data") or {}
    regions = data.get("regions") or []
    concepts = ", ".join(str(c.get("id")) for c in data.get("concepts") or [])
    if annotation.get("input_level"):
        if not regions and not concepts:
            return Reading(uuid, remote_id, problem="")  # empty: nothing to say
        return Reading(uuid, remote_id, problem=f"the input's own labels ({concepts or 'data'})")
    if not regions:
        listed = [c for c in data.get("concepts") or [] if isinstance(c, Mapping)]
        if not listed:
            return Reading(uuid, remote_id, problem="tags the whole image with no concept")
        if len(_present(listed)) != len(listed):
            return Reading(
                uuid,
                remote_id,
                problem=f"tags the whole image saying some concepts are absent ({concepts}); "
                "a limner tag names only what is there",
            )
        return None
    if len(regions) > 1:
        return Reading(uuid, remote_id, problem=f"has {len(regions)} regions (limner reads one)")
    region = regions[0] if isinstance(regions[0], Mapping) else {}
    positive = _present(_concepts_of(region, data))
    if len(positive) > 1:
        names = ", ".join(str(c.get("id")) for c in positive)
        return Reading(uuid, remote_id, problem=f"names several concepts ({names})")
    return None


def _present(concepts: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The concepts said to be there: value above 0 (an answer leaves a 0 out, so a
    concept without value is one said to be absent)."""
    out = []
    for concept in concepts:
        value = concept.get("value", 0)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            out.append(concept)
    return out


def _concepts_of(region: Mapping[str, Any], data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = (region.get("data") or {}).get("concepts") or data.get("concepts") or []
    return [c for c in found if isinstance(c, Mapping)]


def read_annotation(
    annotation: Mapping[str, Any], width: int, height: int, mask: str | None = None
) -> Reading:
    """One remote annotation as limner reads it, or why it cannot (kept or malformed).

    ``mask`` is the mask's PNG (base64) fetched separately when the server gave a URL.
    An input-level annotation without data reads with ``problem == ""``: it says nothing.
    """
    remote_id = str(annotation.get("id", ""))
    if not remote_id:
        return Reading("", "", problem="an annotation without id", malformed=True)
    opaque = _opaque(remote_id, annotation)
    if opaque is not None:
        return opaque
    data = annotation.get("data") or {}
    uuid = local_uuid_for(remote_id)
    if not data.get("regions"):
        return _read_tag(annotation, uuid, remote_id)
    region = data["regions"][0]
    info = region.get("region_info") or {}
    try:
        geometry = geometry_from_region_info(info, width, height, mask)
    except MalformedError as exc:
        return Reading(uuid, remote_id, problem=f"is broken: {exc}", malformed=True)
    except ClarifaiFormatError as exc:
        return Reading(uuid, remote_id, problem=f"is {exc}")
    positive = _present(_concepts_of(region, data))
    if not positive:  # Clarifai's regions are of a concept: without one it is broken
        return Reading(uuid, remote_id, problem="is broken: a region of no concept", malformed=True)
    concept_id = str(positive[0].get("id"))
    attributes: dict[str, Any] = {}
    meta = (annotation.get("annotation_info") or {}).get(META_KEY)
    if isinstance(meta, Mapping):
        exact = exact_geometry(meta, info, width, height)
        if exact is not None:
            geometry = exact
        attributes = _attributes(meta.get("attributes"))
    return Reading(uuid, remote_id, concept_id, geometry, attributes)


def _read_tag(annotation: Mapping[str, Any], uuid: str, remote_id: str) -> Reading:
    """A classification: the concepts present, in the order the server lists them."""
    ids: list[str] = []
    for concept in (annotation.get("data") or {}).get("concepts") or []:
        cid = str(concept.get("id") or "")
        if not cid:
            why = "is broken: a concept without id"
            return Reading(uuid, remote_id, problem=why, malformed=True)
        if cid not in ids:
            ids.append(cid)
    meta = (annotation.get("annotation_info") or {}).get(META_KEY)
    attributes = _attributes(meta.get("attributes")) if isinstance(meta, Mapping) else {}
    return Reading(uuid, remote_id, None, Tag(tuple(ids)), attributes, tag_concepts=tuple(ids))


def tag_annotation_raw(
    remote_id: str,
    tag: Tag,
    concept_ids: Iterable[str],
    attributes: Mapping[str, Any],
    target: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A classification annotation naming ``concept_ids`` as present; replacing
    ``target`` it keeps the rest of the server's ``data`` and ``annotation_info``."""
    data: dict[str, Any] = copy.deepcopy(dict(target.get("data") or {})) if target else {}
    data["concepts"] = [{"id": cid, "value": 1} for cid in concept_ids]
    extra = copy.deepcopy(dict(target.get("annotation_info") or {})) if target else {}
    return {
        "id": remote_id,
        "data": data,
        "annotation_info": {**extra, **annotation_info_for(tag, attributes)},
    }


def _attributes(text: Any) -> dict[str, Any]:
    if not isinstance(text, str):
        return {}
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def annotation_raw(
    remote_id: str,
    geometry: Geometry,
    attributes: Mapping[str, Any],
    info: Mapping[str, Any],
    concept_id: str,
    target: Mapping[str, Any] | None = None,
    keep_concepts: bool = False,
) -> dict[str, Any]:
    """The annotation limner sends: ``id``, ``data`` and ``annotation_info``.

    Replacing ``target`` (the server's copy), everything limner does not own is carried
    over: the region's id and other fields, the rest of ``data``, other tools' entries in
    ``annotation_info``, and the concepts themselves when the class did not change.
    """
    concepts = [{"id": concept_id, "value": 1}]
    if target is None:
        region: dict[str, Any] = {"id": remote_id, "region_info": dict(info)}
        region["data"] = {"concepts": concepts}
        data: dict[str, Any] = {"regions": [region]}
        extra: dict[str, Any] = {}
    else:
        data = copy.deepcopy(dict(target.get("data") or {}))
        old = dict((data.get("regions") or [{}])[0])
        region = {**old, "region_info": dict(info)}
        if not keep_concepts:
            region["data"] = {**(old.get("data") or {}), "concepts": concepts}
        data["regions"] = [region]
        extra = copy.deepcopy(dict(target.get("annotation_info") or {}))
    return {
        "id": remote_id,
        "data": data,
        "annotation_info": {**extra, **annotation_info_for(geometry, attributes)},
    }
