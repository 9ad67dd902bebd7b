"""Key rotation: every encrypted column re-encrypted with the newest key (the first of TIPLINE_ENCRYPTION_KEYS).

Run it with the new key first and the old ones still after it (README, "Rotating the encryption
keys"): each value is read with whichever key encrypted it and written back with the newest, a
batch (one transaction) at a time. A value already on the newest key is left as it is, so the
command can be interrupted and run again; a row changed meanwhile keeps what was written (the
services already encrypt with the newest key). The columns come from the table definitions
(tables.encrypted_columns), so a new encrypted column is rotated without a change here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from routing.service import Context
from routing.store.tables import encrypted_columns

log = logging.getLogger(__name__)

ACTOR = "system:key_rotation"
BATCH = 500


@dataclass
class Rotation:
    rotated: dict[str, int] = field(default_factory=dict)  # "table.column": values re-encrypted
    current: int = 0  # values already on the newest key
    unreadable: dict[str, int] = field(default_factory=dict)  # no configured key reads them


async def rotate_keys(ctx: Context) -> Rotation:
    result = Rotation()
    for column in encrypted_columns():
        name = f"{column.table.name}.{column.name}"
        result.rotated[name] = 0
        after_id = 0
        while True:
            async with ctx.new_uow() as uow:
                batch = await uow.repo.encrypted_values(column, after_id, BATCH)
                for row_id, token in batch:
                    if ctx.vault.is_current(token):
                        result.current += 1
                        continue
                    try:
                        new = ctx.vault.rotate(token)
                    except ValueError:
                        result.unreadable[name] = result.unreadable.get(name, 0) + 1
                        continue
                    if await uow.repo.replace_encrypted(column, row_id, token, new):
                        result.rotated[name] += 1
            if len(batch) < BATCH:
                break
            after_id = batch[-1][0]
    if any(result.rotated.values()):
        async with ctx.new_uow() as uow:
            await uow.repo.audit(ctx.clock(), ACTOR, "keys_rotated", rotated=result.rotated)
    rotated = sum(result.rotated.values())
    log.info("key rotation: %s re-encrypted, %s already on the newest key", rotated, result.current)
    return result
