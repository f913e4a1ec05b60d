"""Every place a person types text that the bot stores or shows again — one list.

Each is covered by the privacy property test (`tests/e2e/test_free_text_inputs.py`), which types
national IDs and phone numbers in every shape `bot.domain.redaction` knows into it through the
chat, then reads the database file, its -wal, the log and every message: the identifier is in
none of them. An input added to the product is added here, and the test will not pass until it
is driven too.
"""

from __future__ import annotations

from enum import StrEnum

from handlers import meeting_changes, meetings, minutes, referral_decisions, updates


class FreeTextInput(StrEnum):
    # The referral form (handlers/referral.py)
    DESCRIPTION = "referral.description"
    ALIAS = "referral.alias"
    NATIONAL_ID = "referral.national_id"
    # Answers the bot waits for (handlers/inbox.py ANSWERS)
    RETURN_REASON = referral_decisions.RETURN_REASON
    ENTRY_DATE = updates.ENTRY_DATE  # a day typed for an entry (11/15, 上週三)
    CASE_NOTE = updates.ENTRY_NOTE  # a closure request's reason is a case note of its kind
    NEXT_STEP = "update.next_step"  # the 「下一步：…」 line of a case note
    CORRECTION = updates.CORRECTION_NOTE
    TRACKING_REASON = updates.TRACK_REASON
    MONTHLY_REPORT = updates.REPORT_TEXT
    MEETING_FIELD = meetings.DRAFT  # the time, place, video link and chair of /newmeeting
    NEW_MEETING_TIME = meeting_changes.NEW_TIME
    DECISION_NOTE = minutes.DECISION_NOTE  # the minutes of a case conference
    RESOLUTION = minutes.RESOLUTION  # the minutes of a liaison meeting
    # Registration (handlers/registration.py)
    DISPLAY_NAME = "registration.name"
    # Anything typed after a command (/case, /update, /report, /search, /start, /compliance)
    COMMAND_ARGUMENT = "command.argument"
    # The caption of a photo or a file: the whole message is deleted (handlers/gate.py)
    CAPTION = "caption"
