"""Tags only from datasets the viewer may read.

CKAN's ``tag_list``, ``tag_search`` and ``tag_autocomplete`` (so ``/api/2/util/tag/autocomplete``) query the tag
table directly, and ``tag_show`` finds any tag: a tag used only on terbatas or tertutup datasets reached everyone.
For anyone but a sysadmin these answer from the tags (free or of a vocabulary) on active datasets they may read,
with core's parameters and result shapes; ``tag_show`` of any other tag is "not found".
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.dictization import model_dictize, table_dictize
from ckan.model import misc

from ..access import datasets


def _terms(data_dict: dict[str, Any]) -> list[str]:
    terms = data_dict.get("query") or data_dict.get("q") or []
    if isinstance(terms, str):
        terms = [terms]
    if not isinstance(terms, list):
        terms = [str(terms)]
    terms = [str(term).strip() for term in terms if str(term).strip()]
    fields = data_dict.get("fields") or {}
    if isinstance(fields, dict):
        terms += [str(value) for name, value in fields.items() if name in ("tag", "tags")]
    return terms


def _vocabulary_id(data_dict: dict[str, Any]) -> str | None | bool:
    """The vocabulary's id; None for free tags; False for a vocabulary that does not exist."""
    if not data_dict.get("vocabulary_id"):
        return None
    vocabulary = model.Vocabulary.get(str(data_dict["vocabulary_id"]))
    return vocabulary.id if vocabulary is not None else False


def _readable_tags(user_name: str | None, vocabulary_id: str | None, terms: list[str]) -> Any:
    """A query of the tags on datasets the user may read (ordered by name)."""
    tag, package_tag, package = model.tag_table, model.package_tag_table, model.package_table
    used = sa.exists(sa.select(1).select_from(package_tag.join(package, package.c.id == package_tag.c.package_id))
                     .where(package_tag.c.tag_id == tag.c.id, package_tag.c.state == "active",
                            datasets.readable_clause(package, user_name)))
    query = model.Session.query(model.Tag).filter(used)
    query = query.filter(model.Tag.vocabulary_id == vocabulary_id if vocabulary_id
                         else model.Tag.vocabulary_id.is_(None))
    for term in terms:
        query = query.filter(model.Tag.name.ilike("%" + misc.escape_sql_like_special_characters(term, escape="\\")
                                                  + "%"))
    return query.order_by(model.Tag.name)


def _search(context: dict[str, Any], data_dict: dict[str, Any]) -> tuple[list[model.Tag], int]:
    """Core's ``_tag_search`` over readable datasets: no terms, no tags."""
    terms = _terms(data_dict)
    vocabulary_id = _vocabulary_id(data_dict)
    if vocabulary_id is False or not terms:
        return [], 0
    query = _readable_tags(datasets.user_name(context), vocabulary_id, terms)
    count = query.count()
    return query.offset(data_dict.get("offset")).limit(data_dict.get("limit")).all(), count


def _unrestricted(context: dict[str, Any]) -> bool:
    return datasets.is_sysadmin(datasets.user_name(context))


@tk.side_effect_free
@tk.chained_action
def tag_list(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    if _unrestricted(context):
        return original(context, data_dict)
    tk.check_access("tag_list", context, data_dict)
    if data_dict.get("query") or data_dict.get("q"):
        tags, _count = _search(context, data_dict)
    else:
        vocabulary_id = _vocabulary_id(data_dict)
        if vocabulary_id is False:
            # Core's Tag.all answers so.
            raise tk.ObjectNotFound(f"could not find vocabulary '{data_dict['vocabulary_id']}'")
        tags = _readable_tags(datasets.user_name(context), vocabulary_id, []).all()
    if data_dict.get("all_fields"):
        return model_dictize.tag_list_dictize(tags, context)
    return [tag.name for tag in tags]


@tk.side_effect_free
@tk.chained_action
def tag_search(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    if _unrestricted(context):
        return original(context, data_dict)
    tk.check_access("tag_search", context, data_dict)
    tags, count = _search(context, data_dict)
    return {"count": count, "results": [table_dictize(tag, context) for tag in tags]}


@tk.side_effect_free
@tk.chained_action
def tag_autocomplete(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    if _unrestricted(context):
        return original(context, data_dict)
    tk.check_access("tag_autocomplete", context, data_dict)
    tags, _count = _search(context, data_dict)
    return [tag.name for tag in tags]


@tk.side_effect_free
@tk.chained_action
def tag_show(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    if not _unrestricted(context) and isinstance(data_dict.get("id"), str):
        tag = model.Tag.get(data_dict["id"], vocab_id_or_name=data_dict.get("vocabulary_id"))
        if tag is not None:
            vocabulary_id = tag.vocabulary_id
            visible = _readable_tags(datasets.user_name(context), vocabulary_id, []).filter(model.Tag.id == tag.id)
            if visible.first() is None:
                raise tk.ObjectNotFound  # core's answer for a tag that does not exist
    return original(context, data_dict)


def actions() -> dict[str, Any]:
    return {"tag_list": tag_list, "tag_search": tag_search, "tag_autocomplete": tag_autocomplete,
            "tag_show": tag_show}
