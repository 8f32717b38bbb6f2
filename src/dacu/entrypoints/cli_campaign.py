"""`dacu campaign …`: campaigns as code — apply, export, list, status, kill — through the
campaign service."""

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

if TYPE_CHECKING:
    from dacu.services.campaigns import CampaignService

EXIT_BAD_INPUT = 2
EXIT_REFUSED = 1

campaign_app = typer.Typer(help="Campaigns as code: apply, export, pause, kill a promotion.")


def _campaigns() -> "CampaignService":
    from dacu.bootstrap import from_settings

    return from_settings().campaigns


def _now() -> datetime:
    from dacu.settings import settings

    return datetime.now(ZoneInfo(settings().timezone))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        typer.echo(f"cannot read {path}: {error.strerror}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@campaign_app.command("apply")
def campaign_apply(
    path: Annotated[Path, typer.Argument(help="campaign YAML (or JSON) file")],
    actor: Annotated[str, typer.Option(help="who applies it, for the audit log")] = "cli",
) -> None:
    """Check a campaign file and load it whole (a new version if it exists)."""
    from dacu.domain.errors import DomainError, InvalidRule
    from dacu.schemas.campaigns import load_campaign
    from dacu.schemas.yamlfile import load_yaml

    try:
        document, campaign = load_campaign(load_yaml(_read(path)))
        applied = _campaigns().apply(document, campaign, actor, _now())
    except InvalidRule as error:
        typer.echo(f"bad campaign {path}: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except DomainError as error:
        typer.echo(f"campaign {path} refused: {error}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    typer.echo(
        f"campaign {campaign.id} applied as version {applied.version}: "
        f"{len(campaign.promotions)} promotions, {len(campaign.coupons)} coupon templates"
    )


@campaign_app.command("export")
def campaign_export(
    campaign_id: Annotated[str, typer.Argument()],
    out: Annotated[Path | None, typer.Option("--out", help="write here, not stdout")] = None,
) -> None:
    """Write a campaign back as the file that would re-create it."""
    from dacu.domain.campaigns import UnknownCampaign
    from dacu.schemas.yamlfile import dump_yaml

    try:
        text = dump_yaml(_campaigns().document(campaign_id))
    except UnknownCampaign:
        typer.echo(f"no campaign {campaign_id}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@campaign_app.command("list")
def campaign_list() -> None:
    """Every campaign with its status and version."""
    for found in _campaigns().list():
        typer.echo(f"{found.id}\t{found.status.value}\tv{found.version}\t{found.theme}")


@campaign_app.command("status")
def campaign_status(
    campaign_id: Annotated[str, typer.Argument()],
    status: Annotated[str, typer.Argument(help="live, paused or ended")],
    actor: Annotated[str, typer.Option(help="who, for the audit log")] = "cli",
) -> None:
    """Go live, pause, resume or end a campaign at once."""
    from dacu.domain.campaigns import CampaignStatus
    from dacu.domain.errors import DomainError

    try:
        chosen = CampaignStatus(status)
    except ValueError:
        typer.echo(f"status: must be one of {', '.join(s.value for s in CampaignStatus)}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    try:
        found = _campaigns().set_status(campaign_id, chosen, actor, _now())
    except DomainError as error:
        typer.echo(f"campaign {campaign_id}: {error.message}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    typer.echo(f"campaign {found.id} is {found.status.value} (revision {found.revision})")


@campaign_app.command("kill")
def campaign_kill(
    campaign_id: Annotated[str, typer.Argument()],
    promotion_id: Annotated[str, typer.Argument()],
    revive: Annotated[bool, typer.Option("--revive", help="switch it back on")] = False,
    actor: Annotated[str, typer.Option(help="who, for the audit log")] = "cli",
) -> None:
    """The kill switch: one promotion off at once (or back on with --revive)."""
    from dacu.domain.errors import DomainError

    try:
        found = _campaigns().kill(campaign_id, promotion_id, actor, _now(), killed=not revive)
    except DomainError as error:
        typer.echo(f"campaign {campaign_id}: {error.message}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    state = "back on" if revive else "killed"
    typer.echo(f"{promotion_id} of {found.id} {state} (revision {found.revision})")
