"""Clarifai's HTTP API as its own protos define it: routes, requests and answers.

Routes are not written by hand: they are read from the ``google.api.http`` options of
the ``clarifai.api.V2`` service in the official ``clarifai-grpc`` package, so a path is
either a route of the real API or none. A request (path fields, query parameters and JSON
body together) is parsed into the route's request message and an answer into its
response message with ``json_format.ParseDict(..., ignore_unknown_fields=False)``: an
unknown or misspelled field raises :class:`FidelityError`. :func:`normalized` gives an
object as the server stores and returns it: float32 coordinates, numeric enums, zero
values omitted.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from google.api import annotations_pb2
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message


class FidelityError(ValueError):
    """A request or response that Clarifai's protos do not accept."""


# -- routes from the proto -----------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    rpc: str
    method: str
    template: str
    body: str
    pattern: re.Pattern[str]
    fields: tuple[str, ...]
    literals: int
    request: type[Message]
    response: type[Message]


def _message_class(descriptor: Descriptor) -> type[Message]:
    for module in (service_pb2, resources_pb2):
        cls = getattr(module, descriptor.name, None)
        if cls is not None and cls.DESCRIPTOR.full_name == descriptor.full_name:
            return cls
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(descriptor)


def load_routes() -> list[Route]:
    """Every HTTP binding of the V2 service, most literal path segments first."""
    service = service_pb2.DESCRIPTOR.services_by_name["V2"]
    routes: list[Route] = []
    for method in service.methods:
        rule = method.GetOptions().Extensions[annotations_pb2.http]
        for binding in [rule, *rule.additional_bindings]:
            verb = binding.WhichOneof("pattern")
            if verb in (None, "custom"):
                continue
            template = getattr(binding, verb)
            names: list[str] = []
            regex = ""
            literals = 0
            for segment in template.strip("/").split("/"):
                match = re.fullmatch(r"\{([\w.]+)(?:=[^}]*)?\}", segment)
                if match:
                    names.append(match.group(1))
                    regex += "/([^/]+)"
                else:
                    literals += 1
                    regex += "/" + re.escape(segment)
            routes.append(
                Route(
                    rpc=method.name,
                    method=verb.upper(),
                    template=template,
                    body=binding.body,
                    pattern=re.compile(regex + "$"),
                    fields=tuple(names),
                    literals=literals,
                    request=_message_class(method.input_type),
                    response=_message_class(method.output_type),
                )
            )
    routes.sort(key=lambda r: -r.literals)
    return routes


ROUTES = load_routes()


def match_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return route, {n: unquote(v) for n, v in zip(route.fields, found.groups(), strict=True)}
    return None


def _field(descriptor: Descriptor, name: str) -> FieldDescriptor | None:
    found = descriptor.fields_by_name.get(name)
    if found is not None:
        return found
    return next((f for f in descriptor.fields if f.json_name == name), None)


def _scalar(field_: FieldDescriptor, text: str) -> Any:
    if field_.type == FieldDescriptor.TYPE_BOOL:
        if text not in ("true", "false"):
            raise FidelityError(f"query parameter {field_.name}={text!r} is not a bool")
        return text == "true"
    if field_.type == FieldDescriptor.TYPE_ENUM:
        return int(text) if text.lstrip("-").isdigit() else text
    if field_.cpp_type in (
        FieldDescriptor.CPPTYPE_INT32,
        FieldDescriptor.CPPTYPE_INT64,
        FieldDescriptor.CPPTYPE_UINT32,
        FieldDescriptor.CPPTYPE_UINT64,
    ):
        if not text.lstrip("-").isdigit():
            raise FidelityError(f"query parameter {field_.name}={text!r} is not an integer")
        return int(text)
    if field_.cpp_type in (FieldDescriptor.CPPTYPE_FLOAT, FieldDescriptor.CPPTYPE_DOUBLE):
        return float(text)
    return text


def _put(
    target: dict[str, Any], descriptor: Descriptor, dotted: str, values: list[str], where: str
) -> None:
    """Set a (dotted) field from path or query text, as grpc-gateway does."""
    parts = dotted.split(".")
    node = target
    desc = descriptor
    for index, part in enumerate(parts):
        field_ = _field(desc, part)
        if field_ is None:
            raise FidelityError(f"{where} {dotted!r}: {desc.full_name} has no field {part!r}")
        last = index == len(parts) - 1
        if not last:
            if field_.message_type is None or field_.is_repeated:
                raise FidelityError(f"{where} {dotted!r}: {part!r} is not a message field")
            node = node.setdefault(field_.name, {})
            desc = field_.message_type
            continue
        if field_.message_type is not None:
            raise FidelityError(f"{where} {dotted!r} names a message, not a value")
        converted = [_scalar(field_, v) for v in values]
        if field_.is_repeated:
            node.setdefault(field_.name, []).extend(converted)
        else:
            if len(converted) != 1:
                raise FidelityError(f"{where} {dotted!r} is not repeated but was given twice")
            node[field_.name] = converted[0]


def parse_request(
    route: Route, path_fields: Mapping[str, str], query: str, body: Any
) -> dict[str, Any]:
    """The request as its proto message would see it; raises FidelityError otherwise."""
    desc = route.request.DESCRIPTOR
    data: dict[str, Any] = {}
    if route.body == "*":
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise FidelityError(f"{route.rpc}: the body must be a JSON object")
        data = copy.deepcopy(body)
    elif body not in (None, {}):
        raise FidelityError(f"{route.rpc} takes no body, got {str(body)[:80]}")
    grouped: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        grouped.setdefault(key, []).append(value)
    if route.body != "*":
        for key, values in grouped.items():
            _put(data, desc, key, values, "query parameter")
    elif grouped:
        raise FidelityError(f"{route.rpc} takes its fields in the body, not in the query")
    for key, value in path_fields.items():
        _put(data, desc, key, [value], "path field")
    try:
        message = json_format.ParseDict(data, route.request(), ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        raise FidelityError(f"{route.rpc} request: {exc}") from exc
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, use_integers_for_enums=True
    )


def check_response(route: Route, body: Mapping[str, Any]) -> None:
    try:
        json_format.ParseDict(dict(body), route.response(), ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        raise FidelityError(f"{route.rpc} response: {exc}") from exc


def normalized(message_type: type[Message], data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` as the server stores and returns it (float32, numeric enums, no zeros)."""
    message = json_format.ParseDict(dict(data), message_type(), ignore_unknown_fields=False)
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, use_integers_for_enums=True
    )
