"""Every role tries every command: what the permission table allows answers, the rest is refused."""

from __future__ import annotations

import pytest

from bot.domain.permissions import COMMANDS, Command, may
from bot.domain.roles import Role
from tests.transcript import World, active_member

pytestmark = pytest.mark.e2e

UNIT_OF = {
    Role.WORKER: "police-zhongli",
    Role.CASE_MANAGER: "fsc-zhongli",
    Role.SUPERVISOR: "fsc-zhongli",
    Role.SECRETARIAT: "office-zhongli",
    Role.ADMIN: "sab",
}


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_meets_the_permission_table(world: World, role: Role) -> None:
    person = await active_member(world, role, UNIT_OF[role], f"測試{role.value}")
    commands: tuple[Command, ...] = COMMANDS
    for command in commands:
        replies = await person.says(f"/{command.name}")
        assert replies, f"no answer to /{command.name}"
        refused = "不能使用這項功能" in replies[-1].text
        assert refused is not may(role, command.action), (role, command.name, replies[-1].text)


async def test_the_command_menu_follows_the_role_and_language(world: World) -> None:
    supervisor = await active_member(world, Role.SUPERVISOR, "fsc-bade", "林督導")
    worker = await active_member(world, Role.WORKER, "police-bade", "王警員")
    await worker.says("/lang")
    await worker.presses("English")
    (bot,) = (await world.http.get("/sandbox/bots")).json()
    menus = bot["commands"]

    def names(scope: str) -> list[str]:
        return [command["command"] for command in menus[scope]]

    assert names("default") == ["start", "help"]
    assert menus["default"][0]["description"] == "開始使用／輸入邀請碼"
    assert menus["default/en"][0]["description"] == "Start / enter an invite code"
    everyone = [
        "refer",
        "mycases",
        "case",
        "search",
        "update",
        "report",
        "cancel",
        "help",
        "whoami",
    ]
    supervisor_menu = [
        *everyone[:6],
        "caseload",
        "overdue",
        "meetings",
        "nudges",
        "newmeeting",
        *everyone[6:],
    ]
    assert names(f"chat:{supervisor.user_id}") == [*supervisor_menu, "invite", "lang"]
    worker_menu = [*everyone[:6], "meetings", "nudges", *everyone[6:]]
    assert names(f"chat:{worker.user_id}") == [*worker_menu, "lang"]
    assert menus[f"chat:{worker.user_id}"][0]["description"] == "Refer a family"
