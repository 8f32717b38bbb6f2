"""The default `PayoutChannel`: a CSV bank file per payout in a directory (settings'
`payout_dir`), for finance to hand to the bank: payee shop, amount in yuan to the fen,
reference (the payout's key). Written to a temporary name and renamed, so a reader
never sees half a file; the same payout writes the same bytes again."""

import csv
import io
import uuid
from pathlib import Path

from dacu.domain.payouts import Payout, bank_yuan

HEADER = ("payee_shop", "amount_yuan", "reference", "statement_id", "campaign_id", "paid_at")


class BankFileChannel:
    def __init__(self, folder: str | Path) -> None:
        self._folder = Path(folder)

    def send(self, payout: Payout) -> str:
        self._folder.mkdir(parents=True, exist_ok=True)
        path = self._path(payout.file)
        body = _csv(payout)
        if path.exists() and path.read_bytes() == body:
            return payout.file
        part = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")  # one per writer
        part.write_bytes(body)
        part.replace(path)
        return payout.file

    def read(self, name: str) -> bytes | None:
        path = self._path(name)
        return path.read_bytes() if path.is_file() else None

    def _path(self, name: str) -> Path:
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"not a bank file name: {name!r}")
        return self._folder / name


def _csv(payout: Payout) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerow(
        (
            payout.shop,
            bank_yuan(payout.amount),
            payout.key,
            payout.statement_id,
            payout.campaign_id,
            payout.at.isoformat(),
        )
    )
    return out.getvalue().encode("utf-8")
