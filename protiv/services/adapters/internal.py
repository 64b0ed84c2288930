"""The internal shape (what ``syncBatch`` and ``protiv sync FILE`` document): record lists keyed
by kind, each record with an ``externalId`` and camelCase fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from protiv.services.adapters.base import Records, check_payload, collection
from protiv.services.sync_records import KINDS


class InternalMapper:
    provider = "api"
    collections = KINDS

    def records(self, payload: Mapping[str, Any]) -> Records:
        checked = check_payload(payload, KINDS, extra=("provider",))
        lists = {kind: collection(checked, kind) for kind in KINDS}  # all checked before any lands
        for kind in KINDS:
            for record in lists[kind]:
                yield kind, record
