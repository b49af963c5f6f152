"""The permission matrix: every route of the URL conf, every kind of user, both methods.

The expected answers are written out by hand in EXPECTED below, from the README's "Who may
do what" and ../shared/domain.md, and never computed from ``cases.capabilities``, ``rules``
or any other application code: a rule widened or narrowed in the code fails here. A route
without a row fails ``test_it_has_an_entry_for_every_route``: a new screen cannot arrive
without saying who may use it.

Each allowed write is checked for what it did (the note is on the timeline, the case is
withdrawn, the task is the claimer's…), and everything else for what it did not: a refusal,
a page, a message that the step is not possible now, all leave every row as it was.

One world serves the whole module (built once, in each xdist worker that runs its tests,
and rolled back at the end); each test runs in a savepoint of its own, so what one request
writes is gone before the next. What a refusal leaves as it was is read in SQL (``_rows``).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pikepdf
import pytest
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.calendar import WorkingCalendar
from cases.models import (
    Case,
    CaseAccess,
    CaseEvent,
    CaseParticipant,
    Consent,
    Deadline,
    Message,
    Organisation,
    Party,
    PartyLink,
    Person,
    Role,
    Suspension,
    User,
    Withdrawal,
)
from cases.services import PartyInput
from documents.models import Document, Evidence, Submission
from documents.services import add_evidence, render_document
from mediation.agreements.models import (
    Confirmation,
    ConfirmationCode,
    FollowUpVisit,
    JudicialConfirmation,
    SettlementAgreement,
    Term,
    TermEvent,
)
from mediation.sessions.models import MediationSession, Mediator, RecordResponse, SessionRecord
from workflows.models import CaseProcess, Outcome

from .conftest import agreement_draft, built_once, held, meeting_data, minutes_data, open_tasks
from .factories import (
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    adviser_of,
    officer_of,
    opinion_data,
)

# The table. One column per kind of user, one line per route (a route asked about another
# case of the world has a line of its own, ``name@which``) and method. What each answer
# means:
#   ok    the page (200) or sent on (302); for a write, the row's effect is checked
#   msg   sent back (302) with an error message: allowed to ask, but the step is not
#         possible now (the task is someone else's, the seat already declared)
#   form  the form again (200) with its errors (an organisation not offered to this user)
#   403   refused; 404: as if it did not exist; 405: not a method of the route; 410: a
#         party's link that expired or was revoked
#   log   sent to the login page; adm: to the administration's login page
# Anything but "ok" stores nothing, and a GET stores nothing either.
#
# Who the columns are (the world, built in ``_build``):
#   anon  not logged in
#   offi  case officer of 紫金县侨联 (county), which handles the cases
#   othr  case officer of 梅州市侨联, another city: no relation to any case
#   head  supervisor of 紫金县侨联 (the handling unit's head)
#   abov  supervisor of 河源市侨联, the city above the county
#   abof  case officer of 河源市侨联: above, but only the head above reads (as othr)
#   advi  legal adviser of the city's 法顾委: seated on the review case (declared no
#         conflict), and lead of the reviews of @meeting, @minuted, @scheduling,
#         @mediating and the agreement stage's four cases (named on them); on no other case
#   liai  liaison of 紫金县信访局, the department invited to the case and to @effective
#   medi  mediator of 紫金县人民调解委员会, on the roster (a Mediator), named on the case;
#         assigned to @scheduling, @mediating and the agreement stage's cases, declared no
#         conflict on each
#   admn  administrator (superuser)
#   belw  case officer of 义容镇侨胞之家 (township, below the county): it registered the
#         case, the review case, @confirming and @effective and reported them up; the
#         sent-down case's screening was sent down to it
#   rofc  case officer of 紫金县自然资源局, to which the referred case was referred
#   rlia  department liaison of 紫金县自然资源局
#
# The cases (all handled by the county):
#   the case      registered at the township, reported up; screening held by offi;
#                 the mediator and 信访局 invited; a 受理登记表 and one evidence PDF
#   @referred     referred by head to 自然资源局, whose answer is waiting in its queue
#   @sent_down    its screening sent down by offi to the township, nobody holds it yet
#   review case   reported up from the township like the case, accepted, at legal review:
#                 advi's seat (a question to the officer open), a vacant seat (another
#                 adviser declared a conflict)
#   declined      declined by head (the reopen route's case)
#   suspended     suspended by offi (the resume route's case)
#   @meeting      through review (advi's seat) to coordination: a meeting that inviting the
#                 petitions bureau (liai's), held yesterday, its reply still open; a second
#                 liaison of the bureau to hand the reply to
#   @minuted      the same, its minutes final (an action item of the bureau's, a correction
#                 the bureau noted since); 自然资源局 (rlia's) was invited to neither
#   @scheduling   through review (advi's seat) to mediation: medi assigned by offi (the
#                 flow's task), declared no conflict; no session yet
#   @mediating    the same, then: the claimant's consents to online mediation and to data
#                 going abroad recorded by offi; round 1 online, held yesterday, its 调解笔录
#                 issued (PDF ready; the mediation month running from it); round 2 online
#                 with the claimant, planned, under way (began half an hour ago, its record
#                 not written); the claimant's links issued by offi: one revoked, one
#                 expired, one live (the token routes' ``p/<token>/``)
# The agreement stage's cases ([Q9]): each through review (advi's seat) and mediation
# (medi, no sessions) to a written agreement with two terms, both the claimant's (abroad,
# an e-mail address on file, consented to his data going abroad):
#   @confirming   reported up by the township; version 1 sent to the claimant (its PDF
#                 ready), confirmed by nobody; the mediator's signing task open; the
#                 claimant's links: one revoked, one live
#   @effective    reported up by the township; the petitions bureau invited; the paper
#                 copy filed by offi, signed by medi: in effect (settled); term 1 pending,
#                 term 2 said not performed by offi (with the mediator); the application
#                 for judicial confirmation drawn up, not filed; the claimant's links: one
#                 expired, one live
#   @following    a county case in effect: both terms performed, the tracking ended and
#                 offi's follow-up visit recorded (following up); no judicial
#                 confirmation applied for; the claimant's live link
#   @filed        a county case in effect: its application filed with the court today
EXPECTED = """
                                 anon offi othr head abov abof advi liai medi admn belw rofc rlia
home                        GET  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
home                        POST ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
login                       GET  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
login                       POST ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
logout                      GET  405  405  405  405  405  405  405  405  405  405  405  405  405
logout                      POST ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
set_language                GET  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
set_language                POST ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
# Everyone's own: the queue and case list (scoped as the page is) and their settings.
workflows:queue             GET  log  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
workflows:queue             POST log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:queue_export      GET  log  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
workflows:queue_export      POST log  405  405  405  405  405  405  405  405  405  405  405  405
cases:list                  GET  log  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
cases:list                  POST log  405  405  405  405  405  405  405  405  405  405  405  405
cases:export                GET  log  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
cases:export                POST log  405  405  405  405  405  405  405  405  405  405  405  405
cases:preferences           GET  log  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
cases:preferences           POST log  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
# Officers and supervisors register for their own organisation; the POST names the county,
# so those of another organisation get the form back.
# A department numbers no cases: its officer registers none (rofc).
workflows:register          GET  log  ok   ok   ok   ok   ok   403  403  403  ok   ok   403  403
workflows:register          POST log  ok   form ok   form form 403  403  403  ok   form 403  403
# The case: read by its handling unit's staff, the head above, the unit below it came from,
# the invited department and the named mediator; written by the handling unit's staff.
workflows:case              GET  log  ok   404  ok   ok   404  404  ok   ok   ok   ok   404  404
workflows:case              POST log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:case_panel        GET  log  ok   404  ok   ok   404  404  ok   ok   ok   ok   404  404
workflows:case_panel        POST log  405  405  405  405  405  405  405  405  405  405  405  405
cases:add_communication     GET  log  405  405  405  405  405  405  405  405  405  405  405  405
cases:add_communication     POST log  ok   404  ok   403  404  404  403  403  ok   403  404  404
cases:add_note              GET  log  405  405  405  405  405  405  405  405  405  405  405  405
cases:add_note              POST log  ok   404  ok   403  404  404  403  403  ok   403  404  404
cases:invite                GET  log  405  405  405  405  405  405  405  405  405  405  405  405
cases:invite                POST log  ok   404  ok   403  404  404  403  403  ok   403  404  404
cases:add_party             GET  log  ok   404  ok   403  404  404  403  403  ok   403  404  404
cases:add_party             POST log  ok   404  ok   403  404  404  403  403  ok   403  404  404
cases:correct_party         GET  log  ok   404  ok   403  404  404  403  403  ok   403  404  404
cases:correct_party         POST log  ok   404  ok   403  404  404  403  403  ok   403  404  404
workflows:report_up         GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:report_up         POST log  ok   404  ok   403  404  404  403  403  ok   403  404  404
workflows:withdraw          GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:withdraw          POST log  ok   404  ok   403  404  404  403  403  ok   403  404  404
workflows:suspend           GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:suspend           POST log  ok   404  ok   403  404  404  403  403  ok   403  404  404
documents:export_case_file  GET  log  405  405  405  405  405  405  405  405  405  405  405  405
documents:export_case_file  POST log  ok   404  ok   403  404  404  403  403  ok   403  404  404
documents:upload_evidence   GET  log  405  405  405  405  405  405  405  405  405  405  405  405
documents:upload_evidence   POST log  ok   404  ok   403  404  404  403  403  ok   403  404  404
# The case's documents and evidence: whoever reads the case.
documents:download          GET  log  ok   404  ok   ok   404  404  ok   ok   ok   ok   404  404
documents:download          POST log  405  405  405  405  405  405  405  405  405  405  405  405
documents:view_document     GET  log  ok   404  ok   ok   404  404  ok   ok   ok   ok   404  404
documents:view_document     POST log  405  405  405  405  405  405  405  405  405  405  405  405
documents:document_page     GET  log  ok   404  ok   ok   404  404  ok   ok   ok   ok   404  404
documents:document_page     POST log  405  405  405  405  405  405  405  405  405  405  405  405
documents:view_evidence     GET  log  ok   404  ok   ok   404  404  ok   ok   ok   ok   404  404
documents:view_evidence     POST log  405  405  405  405  405  405  405  405  405  405  405  405
documents:evidence_page     GET  log  ok   404  ok   ok   404  404  ok   ok   ok   ok   404  404
documents:evidence_page     POST log  405  405  405  405  405  405  405  405  405  405  405  405
# The case's screening, which offi holds: only the holder opens it or lets it go; another
# who could do it is told it is taken; the handling unit's staff send it down (to the
# village below the township).
workflows:task              GET  log  ok   404  404  404  404  404  404  404  404  404  404  404
workflows:task              POST log  ok   404  404  404  404  404  404  404  404  404  404  404
workflows:claim             GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:claim             POST log  ok   404  msg  403  404  404  403  403  msg  403  404  404
workflows:release           GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:release           POST log  ok   404  403  403  404  404  403  403  403  403  404  404
workflows:send_down         GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:send_down         POST log  ok   404  ok   403  404  404  403  403  ok   403  404  404
# A task sent down is the lower unit's (and no longer the handling unit's to take).
workflows:task@sent_down    GET  log  404  404  404  404  404  404  404  404  ok   ok   404  404
workflows:task@sent_down    POST log  404  404  404  404  404  404  404  404  ok   ok   404  404
workflows:claim@sent_down   GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:claim@sent_down   POST log  403  404  403  403  404  404  404  404  ok   ok   404  404
# The organisation a case was referred to reads it and answers the referral; nothing else.
workflows:case@referred     GET  log  ok   404  ok   ok   404  404  404  404  ok   404  ok   ok
workflows:case@referred     POST log  405  405  405  405  405  405  405  405  405  405  405  405
cases:add_note@referred     GET  log  405  405  405  405  405  405  405  405  405  405  405  405
cases:add_note@referred     POST log  ok   404  ok   403  404  404  404  404  ok   404  403  403
workflows:task@referral     GET  log  404  404  404  404  404  404  404  404  ok   404  ok   ok
workflows:task@referral     POST log  404  404  404  404  404  404  404  404  ok   404  ok   ok
workflows:claim@referral    GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:claim@referral    POST log  403  404  403  403  404  404  404  404  ok   404  ok   ok
# The supervisor's extension of the review case's handling clock (running since it was
# accepted); the adviser named on that case reads it and nothing more.
workflows:extend_deadline   GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:extend_deadline   POST log  403  404  ok   403  404  403  404  404  ok   403  404  404
# Resume the suspended case (the handling unit's staff), reopen the declined one (its head).
workflows:resume            GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:resume            POST log  ok   404  ok   403  404  404  404  404  ok   404  404  404
workflows:reopen            GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:reopen            POST log  403  404  ok   403  404  404  404  404  ok   404  404  404
# A seat's own requests: its holder's (advi), nobody else's; advi declared already.
review:declare              GET  log  405  405  405  405  405  405  405  405  405  405  405  405
review:declare              POST log  404  404  404  404  404  msg  404  404  404  404  404  404
review:save_draft           GET  log  405  405  405  405  405  405  405  405  405  405  405  405
review:save_draft           POST log  404  404  404  404  404  ok   404  404  404  404  404  404
review:ask                  GET  log  405  405  405  405  405  405  405  405  405  405  405  405
review:ask                  POST log  404  404  404  404  404  ok   404  404  404  404  404  404
# The handling unit's staff, and those of the unit below it came from, seat another adviser
# and answer the adviser's question.
review:replace              GET  log  405  405  405  405  405  405  405  405  405  405  405  405
review:replace              POST log  ok   404  ok   403  404  403  404  404  ok   ok   404  404
review:answer               GET  log  405  405  405  405  405  405  405  405  405  405  405  405
review:answer               POST log  ok   404  ok   403  404  403  404  404  ok   ok   404  404
# The committee list is for supervisors (any), and administrators.
review:committee            GET  log  403  403  ok   ok   403  403  403  403  ok   403  403  403
review:committee            POST log  405  405  405  405  405  405  405  405  405  405  405  405
# Coordination meetings ([Q7]): whoever reads the case sees its meetings; the invited
# department's liaison (liai) sees its own part of them and does its own work there; a
# department not invited (rlia) sees nothing. The handling unit's staff move a meeting,
# save its draft minutes and issue them again; its head goes on without open items.
coordination:meeting        GET  log  ok   404  ok   ok   404  ok   ok   404  ok   404  404  404
coordination:meeting        POST log  405  405  405  405  405  405  405  405  405  405  405  405
coordination:calendar       GET  log  ok   404  ok   ok   404  ok   ok   404  ok   404  404  404
coordination:calendar       POST log  405  405  405  405  405  405  405  405  405  405  405  405
coordination:move           GET  log  405  405  405  405  405  405  405  405  405  405  405  405
coordination:move           POST log  ok   404  ok   404  404  404  404  404  ok   404  404  404
coordination:draft          GET  log  405  405  405  405  405  405  405  405  405  405  405  405
coordination:draft          POST log  ok   404  ok   404  404  404  404  404  ok   404  404  404
coordination:reissue@minuted GET log  405  405  405  405  405  405  405  405  405  405  405  405
coordination:reissue@minuted POST log ok   404  ok   404  404  404  404  404  ok   404  404  404
coordination:correction@minuted GET log 405 405 405  405  405  405  405  405  405  405  405  405
coordination:correction@minuted POST log 404 404 404 404  404  404  ok   404  404  404  404  404
coordination:delegate       GET  log  405  405  405  405  405  405  405  405  405  405  405  405
coordination:delegate       POST log  404  404  404  404  404  404  ok   404  404  404  404  404
coordination:position       GET  log  405  405  405  405  405  405  405  405  405  405  405  405
coordination:position       POST log  404  404  404  404  404  404  ok   404  404  404  404  404
coordination:override       GET  log  405  405  405  405  405  405  405  405  405  405  405  405
coordination:override       POST log  403  404  ok   403  404  403  403  404  ok   404  404  404
# A liaison's own list of their departments' action items, and a report on one of them.
coordination:items          GET  log  403  403  403  403  403  403  ok   403  ok   403  403  ok
coordination:items          POST log  405  405  405  405  405  405  405  405  405  405  405  405
coordination:progress@minuted GET log 405  405  405  405  405  405  405  405  405  405  405  405
coordination:progress@minuted POST log 404 404  404  404  404  404  ok   404  404  404  404  404
# Mediation ([Q8]), on @mediating unless named. The mediator's own list: whoever is on the
# roster (and administrators). The mediation page and a session's calendar file: whoever
# reads the case. Scheduling (one round planned at a time: @scheduling has none), moving
# and cancelling a round, recording a party's consent and the month's extension both
# parties agreed: the handling unit's staff and the mediator serving on the case.
sessions:mine               GET  log  403  403  403  403  403  403  403  ok   ok   403  403  403
sessions:mine               POST log  405  405  405  405  405  405  405  405  405  405  405  405
sessions:case               GET  log  ok   404  ok   ok   404  ok   404  ok   ok   404  404  404
sessions:case               POST log  405  405  405  405  405  405  405  405  405  405  405  405
sessions:calendar           GET  log  ok   404  ok   ok   404  ok   404  ok   ok   404  404  404
sessions:calendar           POST log  405  405  405  405  405  405  405  405  405  405  405  405
sessions:schedule@scheduling GET log  405  405  405  405  405  405  405  405  405  405  405  405
sessions:schedule@scheduling POST log ok   404  ok   403  404  403  404  ok   ok   404  404  404
sessions:consent            GET  log  405  405  405  405  405  405  405  405  405  405  405  405
sessions:consent            POST log  ok   404  ok   403  404  403  404  ok   ok   404  404  404
sessions:extend             GET  log  405  405  405  405  405  405  405  405  405  405  405  405
sessions:extend             POST log  ok   404  ok   403  404  403  404  ok   ok   404  404  404
sessions:move               GET  log  405  405  405  405  405  405  405  405  405  405  405  405
sessions:move               POST log  ok   404  ok   403  404  403  404  ok   ok   404  404  404
sessions:cancel             GET  log  405  405  405  405  405  405  405  405  405  405  405  405
sessions:cancel             POST log  ok   404  ok   403  404  403  404  ok   ok   404  404  404
# The 调解笔录 of round 2 is the serving mediator's to write (during the session or after
# it); an administrator opens the page, but writes no mediator's record.
sessions:record             GET  log  403  404  403  403  404  403  404  ok   ok   404  404  404
sessions:record             POST log  403  404  403  403  404  403  404  ok   403  404  404  404
# A party's own link, sent or revoked by the handling unit's staff.
workflows:issue_link        GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:issue_link        POST log  ok   404  ok   403  404  403  404  403  ok   404  404  404
workflows:revoke_link       GET  log  405  405  405  405  405  405  405  405  405  405  405  405
workflows:revoke_link       POST log  ok   404  ok   403  404  403  404  403  ok   404  404  404
# The party's own page: the token in the address is the key, and no login is asked or
# looked at, so every column (anon too) gets the same answer. With the claimant's live
# link: the page, the record's PDF, a statement sent, the language, the next round's
# calendar file and the record of round 1 confirmed. A revoked or expired link opens
# nothing (410), a forged token nothing (404); another case's document is a 404.
portal:home                 GET  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
portal:home                 POST 405  405  405  405  405  405  405  405  405  405  405  405  405
portal:home@revoked         GET  410  410  410  410  410  410  410  410  410  410  410  410  410
portal:home@revoked         POST 405  405  405  405  405  405  405  405  405  405  405  405  405
portal:home@expired         GET  410  410  410  410  410  410  410  410  410  410  410  410  410
portal:home@expired         POST 405  405  405  405  405  405  405  405  405  405  405  405  405
portal:home@forged          GET  404  404  404  404  404  404  404  404  404  404  404  404  404
portal:home@forged          POST 405  405  405  405  405  405  405  405  405  405  405  405  405
portal:document             GET  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
portal:document             POST 405  405  405  405  405  405  405  405  405  405  405  405  405
portal:document@other       GET  404  404  404  404  404  404  404  404  404  404  404  404  404
portal:document@other       POST 405  405  405  405  405  405  405  405  405  405  405  405  405
portal:send                 GET  405  405  405  405  405  405  405  405  405  405  405  405  405
portal:send                 POST ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
portal:send@revoked         GET  405  405  405  405  405  405  405  405  405  405  405  405  405
portal:send@revoked         POST 410  410  410  410  410  410  410  410  410  410  410  410  410
portal:language             GET  405  405  405  405  405  405  405  405  405  405  405  405  405
portal:language             POST ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
portal:section              GET  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
portal:section              POST 405  405  405  405  405  405  405  405  405  405  405  405  405
portal:section@confirm      GET  405  405  405  405  405  405  405  405  405  405  405  405  405
portal:section@confirm      POST ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
portal:section@expired      GET  410  410  410  410  410  410  410  410  410  410  410  410  410
portal:section@expired      POST 410  410  410  410  410  410  410  410  410  410  410  410  410
# The settlement agreement ([Q9]). Its page: whoever reads the case (@effective: the
# township reported it up and the petitions bureau is invited; @confirming: reported up by
# the township, no department; @following: a county case). The mediator named on the case
# drafts it (a changed text after version 1 goes out as version 2) and takes up a term said
# not performed; the handling unit's staff, and those of the unit below that reported the
# case up, file a party's signed paper copy, track judicial confirmation (apply on
# @following, the filing on @effective, the ruling on @filed) and each term's performance,
# and record follow-up visits. Administrators may do all of it. A term of another case
# (@filed's, asked through @effective) is a 404 to whoever may track.
agreements:case             GET  log  ok   404  ok   ok   404  ok   ok   ok   ok   ok   404  404
agreements:case             POST log  405  405  405  405  405  405  405  405  405  405  405  405
agreements:case@confirming  GET  log  ok   404  ok   ok   404  ok   404  ok   ok   ok   404  404
agreements:case@confirming  POST log  405  405  405  405  405  405  405  405  405  405  405  405
agreements:case@following   GET  log  ok   404  ok   ok   404  ok   404  ok   ok   404  404  404
agreements:case@following   POST log  405  405  405  405  405  405  405  405  405  405  405  405
agreements:draft@confirming GET  log  405  405  405  405  405  405  405  405  405  405  405  405
agreements:draft@confirming POST log  403  404  403  403  404  403  404  ok   ok   403  404  404
agreements:paper@confirming GET  log  405  405  405  405  405  405  405  405  405  405  405  405
agreements:paper@confirming POST log  ok   404  ok   403  404  403  404  403  ok   ok   404  404
agreements:judicial_apply@following GET  log 405 405 405 405 405 405 405 405 405 405 405 405
agreements:judicial_apply@following POST log ok  404 ok  403 404 403 404 403 ok  404 404 404
agreements:judicial_filed   GET  log  405  405  405  405  405  405  405  405  405  405  405  405
agreements:judicial_filed   POST log  ok   404  ok   403  404  403  403  403  ok   ok   404  404
agreements:judicial_ruling@filed GET  log 405 405 405 405 405 405 405 405 405 405 405 405
agreements:judicial_ruling@filed POST log ok  404 ok  403 404 403 404 403 ok  404 404 404
agreements:term_done        GET  log  405  405  405  405  405  405  405  405  405  405  405  405
agreements:term_done        POST log  ok   404  ok   403  404  403  403  403  ok   ok   404  404
agreements:term_done@other_term GET  log 405 405 405 405 405 405 405 405 405 405 405 405
agreements:term_done@other_term POST log 404 404 404 403 404 403 403 403 404 404 404 404
agreements:term_undone      GET  log  405  405  405  405  405  405  405  405  405  405  405  405
agreements:term_undone      POST log  ok   404  ok   403  404  403  403  403  ok   ok   404  404
agreements:term_resolve     GET  log  405  405  405  405  405  405  405  405  405  405  405  405
agreements:term_resolve     POST log  403  404  403  403  404  403  403  ok   ok   403  404  404
agreements:visit@following  GET  log  405  405  405  405  405  405  405  405  405  405  405  405
agreements:visit@following  POST log  ok   404  ok   403  404  403  404  403  ok   404  404  404
# The agreement on the claimant's own page (no login: every column alike). @confirming's
# live link: a one-time code e-mailed for the version shown, and that version confirmed
# with it; its revoked link opens nothing (410), and the @mediating link has no agreement
# to confirm (404). @effective's live link: a pending term said not performed; its expired
# link opens nothing, and a term of another case (@filed's) is a 404. @following's live
# link answers the follow-up questions; a forged token, and a link whose case is not
# settled (@confirming's), get a 404. Each view answers a POST only (405).
portal:section@code         GET  405  405  405  405  405  405  405  405  405  405  405  405  405
portal:section@code         POST ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
portal:section@code_revoked GET  410  410  410  410  410  410  410  410  410  410  410  410  410
portal:section@code_revoked POST 410  410  410  410  410  410  410  410  410  410  410  410  410
portal:section@code_other   GET  405  405  405  405  405  405  405  405  405  405  405  405  405
portal:section@code_other   POST 404  404  404  404  404  404  404  404  404  404  404  404  404
portal:section@confirm_agreement GET 405 405 405 405 405 405 405 405 405 405 405 405 405
portal:section@confirm_agreement POST ok ok ok ok ok ok ok ok ok ok ok ok ok
portal:section@unperformed  GET  405  405  405  405  405  405  405  405  405  405  405  405  405
portal:section@unperformed  POST ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
portal:section@unperformed_expired GET 410 410 410 410 410 410 410 410 410 410 410 410 410
portal:section@unperformed_expired POST 410 410 410 410 410 410 410 410 410 410 410 410 410
portal:section@unperformed_other GET 405 405 405 405 405 405 405 405 405 405 405 405 405
portal:section@unperformed_other POST 404 404 404 404 404 404 404 404 404 404 404 404 404
portal:section@follow_up    GET  405  405  405  405  405  405  405  405  405  405  405  405  405
portal:section@follow_up    POST ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
portal:section@follow_up_forged GET 404 404 404 404 404 404 404 404 404 404 404 404 404
portal:section@follow_up_forged POST 404 404 404 404 404 404 404 404 404 404 404 404 404
portal:section@follow_up_other GET 405 405 405 405 405 405 405 405 405 405 405 405 405
portal:section@follow_up_other POST 404 404 404 404 404 404 404 404 404 404 404 404 404
# The administration site: administrators only (two pages stand for all of them).
admin:index                 GET  adm  adm  adm  adm  adm  adm  adm  adm  adm  ok   adm  adm  adm
admin:index                 POST adm  adm  adm  adm  adm  adm  adm  adm  adm  ok   adm  adm  adm
admin:cases_case_changelist GET  adm  adm  adm  adm  adm  adm  adm  adm  adm  ok   adm  adm  adm
admin:cases_case_changelist POST adm  adm  adm  adm  adm  adm  adm  adm  adm  ok   adm  adm  adm
"""

COLUMNS = {
    "anon": "anonymous",
    "offi": "handling_officer",
    "othr": "other_officer",
    "head": "unit_head",
    "abov": "supervisor_above",
    "abof": "officer_above",
    "advi": "adviser",
    "liai": "liaison",
    "medi": "mediator",
    "admn": "admin",
    "belw": "below_officer",
    "rofc": "referred_officer",
    "rlia": "referred_liaison",
}
SUBJECTS = list(COLUMNS.values())
ANSWERS = {"ok", "msg", "form", "403", "404", "405", "410", "log", "adm"}


def _read_table(text: str) -> dict[tuple[str, str], dict[str, str]]:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    header, rows = lines[0].split(), lines[1:]
    assert header == list(COLUMNS), header
    table = {}
    for line in rows:
        name, method, *answers = line.split()
        assert len(answers) == len(header) and set(answers) <= ANSWERS, line
        assert (name, method) not in table, f"two lines for {name} {method}"
        table[name, method] = dict(zip(SUBJECTS, answers, strict=True))
    return table


TABLE = _read_table(EXPECTED)


# The world ----------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    city: Organisation
    county: Organisation
    township: Organisation
    village: Organisation
    housing: Organisation  # a department not yet invited (the invite route's)
    case: Case
    task: Task  # the case's screening, held by the handling officer
    document: Document  # its 受理登记表, rendered
    evidence: Evidence
    # The other cases and what the rows ask about them (see the table's legend).
    referred: Case | None = None
    referral_task: Task | None = None
    sent_down: Case | None = None
    down_task: Task | None = None
    review_case: Case | None = None
    seat: object = None  # the adviser's seat (declared no conflict, asked a question)
    revision: int = 0  # of the seat's draft opinion, as the world has it
    vacant: object = None  # a seat released after a declared conflict
    question: object = None
    spare_adviser: User | None = None
    declined: Case | None = None
    suspended: Case | None = None
    meeting_case: Case | None = None
    meeting: object = None  # held yesterday, the petitions bureau's reply open
    invitation: object = None  # the bureau's
    colleague: User | None = None  # a second liaison of the bureau
    minuted: object = None  # a meeting whose minutes are final
    action: object = None  # the bureau's action item of it
    mediating: Case | None = None
    record: SessionRecord | None = None  # round 1's, issued, its PDF ready
    session: MediationSession | None = None  # round 2: planned, under way
    scheduling: Case | None = None
    link: PartyLink | None = None  # the claimant's live link on @mediating, and its token
    token: str = ""
    revoked_token: str = ""
    expired_token: str = ""
    # The agreement stage's cases, and what their rows ask about.
    confirming: Case | None = None
    confirm_link: PartyLink | None = None  # the claimant's live link on @confirming
    confirm_token: str = ""
    confirm_revoked_token: str = ""
    effective: Case | None = None
    pending_term: Term | None = None
    disputed_term: Term | None = None
    effective_link: PartyLink | None = None
    effective_token: str = ""
    effective_expired_token: str = ""
    following: Case | None = None
    following_link: PartyLink | None = None
    following_token: str = ""
    filed: Case | None = None


def _pdf() -> SimpleUploadedFile:
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out)
    return SimpleUploadedFile("证据.pdf", out.getvalue(), content_type="application/pdf")


def _register(handling: Organisation, actor: User, title: str, person: Person) -> Case:
    from workflows.services import register_case

    return register_case(
        actor=actor,
        handling_organisation=handling,
        title=title,
        category="ancestral_graves",
        channel="association_letter",
        received_on=datetime.date(2026, 11, 2),
        summary="宗亲会来函反映祖坟墓地被占用。",
        claims="保护祖坟现状。",
        parties=[PartyInput(role=Party.Role.CLAIMANT, person=person)],
    )


def _do(case: Case, name: str, user: User, data: dict, form: bool = False) -> Case:
    """Complete the case's open task of that name, as its screen does."""
    from workflows.services import complete_task

    [task] = [t for t in open_tasks(case) if t.flow_task.name == name]
    if form:
        bound = task.flow_task.form_class(data, case=case, user=user, item=task.data)
        assert bound.is_valid(), bound.errors
        data = bound.cleaned_data
    complete_task(task_id=task.pk, user=user, data=data)
    return Case.objects.get(pk=case.pk)


def _open_task(case: Case, name: str) -> Task:
    [task] = [t for t in open_tasks(case) if t.flow_task.name == name]
    return task


def _organisations() -> dict[str, Organisation]:
    city = OrganisationFactory(name="河源市侨联", number_prefix="河侨维")
    county = OrganisationFactory(
        name="紫金县侨联", level="county", parent=city, number_prefix="紫侨维"
    )
    township = OrganisationFactory(
        name="义容镇侨胞之家",
        kind="service_point",
        level="township",
        parent=county,
        number_prefix="义侨维",
    )
    department = {"kind": "department", "level": "county", "number_prefix": ""}
    return {
        "city": city,
        "county": county,
        "township": township,
        "village": OrganisationFactory(
            name="义容镇某村",
            kind="service_point",
            level="village",
            parent=township,
            number_prefix="",
        ),
        "other_city": OrganisationFactory(name="梅州市侨联", number_prefix="梅侨维"),
        "petitions": OrganisationFactory(name="紫金县信访局", **department),
        "housing": OrganisationFactory(name="紫金县住房和城乡建设局", **department),
        "receiver": OrganisationFactory(name="紫金县自然资源局", **department),
        "committee": OrganisationFactory(
            name="紫金县人民调解委员会",
            kind="mediation_committee",
            level="county",
            number_prefix="",
        ),
    }


def _people(o: dict) -> dict[str, User]:
    return {
        "handling_officer": officer_of(o["county"], "handling_officer"),
        "other_officer": officer_of(o["other_city"], "other_officer"),
        "unit_head": officer_of(o["county"], "unit_head", Role.SUPERVISOR),
        "supervisor_above": officer_of(o["city"], "supervisor_above", Role.SUPERVISOR),
        "officer_above": officer_of(o["city"], "officer_above"),
        "adviser": adviser_of(o["city"], "adviser", expertise=("houses",)),
        "liaison": officer_of(o["petitions"], "liaison", Role.DEPARTMENT_LIAISON),
        "mediator": officer_of(o["committee"], "mediator", Role.MEDIATOR),
        "admin": UserFactory(username="admin", is_staff=True, is_superuser=True),
        "below_officer": officer_of(o["township"], "below_officer"),
        "referred_officer": officer_of(o["receiver"], "referred_officer"),
        "referred_liaison": officer_of(o["receiver"], "referred_liaison", Role.DEPARTMENT_LIAISON),
    }


def _the_case(o: dict, users: dict) -> dict:
    """Registered at the township, reported up to the county, whose officer takes its
    screening; the mediator and the petitions bureau invited."""
    from cases import services as case_services
    from workflows.services import claim_task, report_up

    below, officer = users["below_officer"], users["handling_officer"]
    case = _register(
        o["township"], below, "祖坟墓地纠纷", PersonFactory(registered_by=o["township"])
    )
    case = report_up(case=case, actor=below, reason="涉外宗亲会来函，报县侨联协调")
    task = claim_task(task_id=_open_task(case, "screen").pk, user=officer)
    Relation = CaseParticipant.Relation
    # Named on the case as the mediation stage names a mediator who declared no conflict.
    case_services.name_participant(
        case=case, user=users["mediator"], relation=Relation.MEDIATOR, added_by=officer
    )
    case_services.invite_participant(
        case=case, actor=officer, relation=Relation.DEPARTMENT, organisation=o["petitions"]
    )
    # The world's transaction never commits, so render the 受理登记表 here, as the worker
    # would after it.
    document = render_document(document_id=case.documents.get().pk)
    evidence = add_evidence(case=case, actor=officer, item="06", title="现场照片", upload=_pdf())
    return {"case": case, "task": task, "document": document, "evidence": evidence}


def _county_case(o: dict, users: dict, title: str, **person) -> Case:
    return _register(
        o["county"],
        users["handling_officer"],
        title,
        PersonFactory(registered_by=o["county"], **person),
    )


def _reported_case(o: dict, users: dict, title: str, **person) -> Case:
    """Registered at the township, reported up to the county (the township keeps its
    access: BELOW)."""
    from workflows.services import report_up

    below = users["below_officer"]
    person = PersonFactory(registered_by=o["township"], **person)
    case = _register(o["township"], below, title, person)
    return report_up(case=case, actor=below, reason="涉外纠纷，报县侨联办理")


def _review(world: World, o: dict) -> None:
    """The review case at legal review, played through the process as the screens do:
    registered at the township and reported up like the case; the adviser holds the lead's
    seat (declared no conflict, asked the officer a question), a conflicted adviser's seat
    is vacant, a spare adviser could take it."""
    from workflows.review import selectors
    from workflows.review import services as review
    from workflows.services import report_up

    users = world.users
    officer, head, adviser = users["handling_officer"], users["unit_head"], users["adviser"]
    conflicted = adviser_of(o["city"], "conflicted")
    world.spare_adviser = adviser_of(o["city"], "spare")
    below = users["below_officer"]
    case = _register(o["township"], below, "侨房纠纷", PersonFactory(registered_by=o["township"]))
    case = report_up(case=case, actor=below, reason="涉及县级部门")
    case = _do(case, "screen", officer, {"notes": "事实清楚"})
    case = _do(case, "decide", head, {"decision": "accept"})
    due = selectors.default_due_on(case, timezone.localdate(), WorkingCalendar.load())
    data = {"lead": adviser.pk, "members": [conflicted.pk], f"due_{adviser.pk}": due}
    case = _do(case, "send_to_review", officer, {**data, f"due_{conflicted.pk}": due}, form=True)
    world.seat = selectors.seat_in(case, adviser)
    review.declare(seat_pk=world.seat.pk, actor=adviser, has_conflict=False)
    world.revision = selectors.seat_in(case, adviser).opinion.revision
    world.question = review.ask_question(
        seat_pk=world.seat.pk, actor=adviser, text="请补充权属资料"
    )
    world.vacant = selectors.seat_in(case, conflicted)
    review.declare(seat_pk=world.vacant.pk, actor=conflicted, has_conflict=True, relation="同学")
    world.review_case = case


def _through_review(
    o: dict,
    users: dict,
    title: str,
    route: str = "coordination",
    township: bool = False,
    **person,
) -> Case:
    """A county case (``township``: one the township registered and reported up) through
    its legal review (advi as lead) to the route."""
    from workflows.review import selectors
    from workflows.review import services as review

    officer, head, adviser = users["handling_officer"], users["unit_head"], users["adviser"]
    start = _reported_case if township else _county_case
    case = _do(start(o, users, title, **person), "screen", officer, {"notes": "事实清楚"})
    case = _do(case, "decide", head, {"decision": "accept"})
    due = selectors.default_due_on(case, timezone.localdate(), WorkingCalendar.load())
    case = _do(
        case, "send_to_review", officer, {"lead": adviser.pk, f"due_{adviser.pk}": due}, form=True
    )
    review.declare(seat_pk=selectors.seat_in(case, adviser).pk, actor=adviser, has_conflict=False)
    case = _do(case, "review", adviser, opinion_data(route), form=True)
    case = _do(case, "consolidate", adviser, opinion_data(route), form=True)
    return _do(case, "route", officer, {"route": route, "notes": ""})


def _meetings(world: World, o: dict) -> None:
    """The meeting case and the minuted case (see the table's legend)."""
    from mediation.coordination import services as coordination
    from mediation.coordination.models import ActionItem, Meeting

    users = world.users
    officer, liaison = users["handling_officer"], users["liaison"]
    world.colleague = officer_of(o["petitions"], "liaison2", Role.DEPARTMENT_LIAISON)
    case = _through_review(o, users, "侨批馆保护纠纷")
    world.meeting_case = _do(case, "convene", officer, meeting_data(o["petitions"]), form=True)
    held(world.meeting_case)
    world.meeting = Meeting.objects.get(case=world.meeting_case)
    world.invitation = world.meeting.invitations.get()

    case = _through_review(o, users, "侨捐学校产权纠纷")
    case = _do(case, "convene", officer, meeting_data(o["petitions"]), form=True)
    case = _do(case, "reply", liaison, {"answer": "confirm", "attendees": "张伟"}, form=True)
    held(case)
    action = (o["petitions"], "书面答复宗亲会", 5, officer)
    case = _do(case, "minutes", officer, minutes_data(case, action), form=True)
    world.minuted = Meeting.objects.get(case=case)
    world.action = ActionItem.objects.get(meeting=world.minuted)
    coordination.note_correction(
        meeting_pk=world.minuted.pk, actor=liaison, organisation=o["petitions"], text="职务有误"
    )


def _mediator_serving(o: dict, users: dict, title: str, **start) -> Case:
    """A county case through its review to mediation, as the flow's tasks take it: the
    officer assigns medi from the roster, who declares no conflict (and is named on it)."""
    officer, mediator = users["handling_officer"], users["mediator"]
    case = _through_review(o, users, title, "mediation", **start)
    case = _do(case, "assign_mediator", officer, {"mediator": mediator.mediator.pk}, form=True)
    return _do(case, "declare_mediator", mediator, {"has_conflict": "no"}, form=True)


def _online_round(case: Case, mediator: User, party: Party, ago: datetime.timedelta):
    """A round scheduled online with the party, as the mediator schedules it (tomorrow);
    then time passes: it began ``ago``."""
    from mediation.sessions import services

    session = services.schedule_session(
        case=case,
        actor=mediator,
        details=services.SessionDetails(
            mode=MediationSession.Mode.ONLINE,
            starts_at=timezone.now() + datetime.timedelta(days=1),
            video_link="https://meeting.example.org/zijin",
            parties=[party],
        ),
    )
    MediationSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - ago)
    return _fresh(session)


def _party_links(world: World, party: Party) -> None:
    """The claimant's links on @mediating, each as the officer issues it: one revoked, one
    expired since (time passes), and the live one, issued last (issuing revokes only the
    links still live)."""
    from cases import links

    officer, case = world.users["handling_officer"], world.mediating
    issue = {"case": case, "actor": officer, "party": party, "language": "zh-hans"}
    revoked, world.revoked_token = links.issue_link(**issue)
    links.revoke_link(link_pk=revoked.pk, actor=officer)
    expired, world.expired_token = links.issue_link(**issue)
    PartyLink.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    world.link, world.token = links.issue_link(**issue)


def _mediation(world: World, o: dict) -> None:
    """@scheduling and @mediating (see the table's legend); medi on the roster."""
    from cases import services as case_services
    from mediation.sessions import records

    users = world.users
    officer, mediator = users["handling_officer"], users["mediator"]
    Mediator.objects.create(user=mediator, organisation=o["committee"], languages=["zh-hans"])
    world.scheduling = _mediator_serving(o, users, "侨眷宅基地纠纷")

    case = world.mediating = _mediator_serving(o, users, "祖屋继承纠纷")
    claimant = case.parties.get()
    # From the signed forms: online mediation, and the data going abroad (Malaysia) that
    # the claimant's link needs.
    for purpose in (Consent.Purpose.ONLINE_MEDIATION, Consent.Purpose.CROSS_BORDER):
        case_services.record_consent(
            case=case,
            actor=officer,
            party=claimant,
            purpose=purpose,
            given=True,
            how=Consent.How.SIGNED_FORM,
            given_by=claimant.person.name_zh,
        )
    held = _online_round(case, mediator, claimant, datetime.timedelta(days=1))
    records.write_record(
        session_pk=held.pk,
        actor=mediator,
        statements="申请人陈述：祖屋系其祖父所建。",
        summary="",
        attended={attendee.pk: True for attendee in held.attendees.all()},
        proposals=[],
    )
    record = records.issue_record(session_pk=held.pk, actor=mediator)
    # Rendered here, as the worker would after the commit that never comes.
    render_document(document_id=record.document_id)
    world.record = _fresh(record)
    world.session = _online_round(case, mediator, claimant, datetime.timedelta(minutes=30))
    _party_links(world, claimant)


# The agreement stage's cases: the claimant (abroad, with an e-mail address for the one-time
# code) consented to the data going abroad that a link needs; two terms, both his.
TERMS = (
    ("清理祖坟周边堆放物。", "Clear what was piled around the graves."),
    ("修复祖坟围墙。", "Repair the wall around the graves."),
)


def _mediated(o: dict, users: dict, title: str, township: bool = False) -> Case:
    """Through review and mediation to a written agreement, as the mediator records it
    (without sessions): the mediator's task to sign the agreement is open."""
    from cases import services as case_services

    officer, mediator = users["handling_officer"], users["mediator"]
    email = {"email": "tham@example.my"}
    case = _mediator_serving(o, users, title, township=township, **email)
    case_services.record_consent(
        case=case,
        actor=officer,
        party=case.parties.get(),
        purpose=Consent.Purpose.CROSS_BORDER,
        given=True,
        how=Consent.How.SIGNED_FORM,
        given_by=case.parties.get().person.name_zh,
    )
    data = {"kind": "written", "reason": "调解结束，达成书面协议。"}
    return _do(case, "mediate", mediator, data, form=True)


def _sent(case: Case, users: dict) -> SettlementAgreement:
    """The mediator drafts the agreement and sends version 1 to the parties; its PDF
    rendered here, as the worker would after the commit that never comes."""
    from mediation.agreements import services
    from mediation.agreements.services import TermInput

    mediator, claimant = users["mediator"], case.parties.get()
    terms = [
        TermInput(
            obligor_pk=claimant.pk,
            text=text,
            method="现场完成，村委会见证",
            due_on=datetime.date(2026, 12, 31),
            text_en=english,
            method_en="On site, witnessed by the village committee",
        )
        for text, english in TERMS
    ]
    services.save_draft(case=case, actor=mediator, draft=agreement_draft(case, terms=terms))
    services.send_for_confirmation(case=case, actor=mediator)
    render_document(document_id=SettlementAgreement.objects.get(case=case).document_id)
    return SettlementAgreement.objects.get(case=case)


def _in_effect(case: Case, users: dict) -> Case:
    """Version 1 sent, the claimant's signed paper copy filed by the officer, the mediator
    signs (the sign_agreement task): the agreement is in effect, the case settled."""
    from mediation.agreements import services

    officer, mediator = users["handling_officer"], users["mediator"]
    agreement = _sent(case, users)
    services.file_paper_copy(
        case=case,
        actor=officer,
        party_pk=case.parties.get().pk,
        upload=_pdf(),
        sha256=agreement.document.sha256,
    )
    case = _do(case, "sign_agreement", mediator, {"sign": True}, form=True)
    render_document(document_id=_fresh(agreement).effective_document_id)
    return case


def _claimant_link(case: Case, officer: User) -> tuple[PartyLink, str]:
    from cases import links

    return links.issue_link(case=case, actor=officer, party=case.parties.get(), language="zh-hans")


def _confirming(world: World, o: dict) -> None:
    """@confirming: reported up by the township; version 1 with the claimant, who has
    confirmed nothing; his links: one revoked, then the live one."""
    from cases import links

    users = world.users
    officer = users["handling_officer"]
    case = world.confirming = _mediated(o, users, "祖坟迁葬纠纷", township=True)
    _sent(case, users)
    revoked, world.confirm_revoked_token = _claimant_link(case, officer)
    links.revoke_link(link_pk=revoked.pk, actor=officer)
    world.confirm_link, world.confirm_token = _claimant_link(case, officer)


def _effective(world: World, o: dict) -> None:
    """@effective: reported up by the township, the petitions bureau invited; in effect,
    term 1 pending, term 2 said not performed (with the mediator); the application for
    judicial confirmation drawn up, not yet filed; the claimant's links: one expired since
    (time passes), then the live one."""
    from cases import services as case_services
    from mediation.agreements import services

    users = world.users
    officer = users["handling_officer"]
    case = _mediated(o, users, "侨房租金纠纷", township=True)
    case_services.invite_participant(
        case=case,
        actor=officer,
        relation=CaseParticipant.Relation.DEPARTMENT,
        organisation=o["petitions"],
    )
    case = world.effective = _in_effect(case, users)
    world.pending_term, disputed = Term.objects.filter(agreement__case=case).order_by("order")
    services.report_unperformed(case=case, actor=officer, term_pk=disputed.pk, note="围墙尚未修复")
    world.disputed_term = _fresh(disputed)
    services.apply_for_judicial_confirmation(case=case, actor=officer, court="紫金县人民法院")
    expired, world.effective_expired_token = _claimant_link(case, officer)
    PartyLink.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    world.effective_link, world.effective_token = _claimant_link(case, officer)


def _following(world: World, o: dict) -> None:
    """@following: in effect, every term performed (the officer's proof), the tracking
    ended and the officer's follow-up visit recorded (the flow's tasks): following up;
    no judicial confirmation applied for; the claimant's live link."""
    from mediation.agreements import services

    users = world.users
    officer = users["handling_officer"]
    case = _in_effect(_mediated(o, users, "侨汇款项纠纷"), users)
    for term in Term.objects.filter(agreement__case=case):
        services.record_performance(
            case=case, actor=officer, term_pk=term.pk, note="已履行", upload=_pdf()
        )
    case = _do(case, "track_performance", officer, {"notes": "各项条款均已履行"}, form=True)
    visit = {
        "party": case.parties.get().pk,
        "method": "phone",
        "reason": "协议履行情况回访",
        "performance": "协议已履行完毕",
        "satisfaction": 5,
        "comment": "",
        "visited_on": timezone.localdate(),
    }
    world.following = _do(case, "follow_up_visit", officer, visit, form=True)
    world.following_link, world.following_token = _claimant_link(case, officer)


def _filed(world: World, o: dict) -> None:
    """@filed: in effect, its application for judicial confirmation filed with the court
    today; no ruling yet."""
    from mediation.agreements import services

    officer = world.users["handling_officer"]
    case = world.filed = _in_effect(_mediated(o, world.users, "侨捐物资纠纷"), world.users)
    services.apply_for_judicial_confirmation(case=case, actor=officer, court="紫金县人民法院")
    services.record_filing(case=case, actor=officer, applied_on=timezone.localdate())


def _agreements(world: World, o: dict) -> None:
    """The agreement stage's cases (see the table's legend); medi on the roster already."""
    _confirming(world, o)
    _effective(world, o)
    _following(world, o)
    _filed(world, o)


def _build() -> World:
    from workflows import lifecycle
    from workflows.services import send_task_down

    o = _organisations()
    users = _people(o)
    officer, head = users["handling_officer"], users["unit_head"]
    world = World(
        users=users,
        city=o["city"],
        county=o["county"],
        township=o["township"],
        village=o["village"],
        housing=o["housing"],
        **_the_case(o, users),
    )

    referred = _do(_county_case(o, users, "宅基地纠纷"), "screen", officer, {"notes": "属国土"})
    world.referred = _do(
        referred,
        "decide",
        head,
        {"decision": "refer", "refer_to": o["receiver"], "reason": "属自然资源部门职责"},
    )
    world.referral_task = _open_task(world.referred, "referral_response")

    world.sent_down = _county_case(o, users, "山林权属纠纷")
    world.down_task = send_task_down(
        task_id=_open_task(world.sent_down, "screen").pk, actor=officer, organisation=o["township"]
    )

    _review(world, o)

    declined = _do(_county_case(o, users, "继承纠纷"), "screen", officer, {"notes": "不属受理范围"})
    world.declined = _do(declined, "decide", head, {"decision": "decline", "reason": "已起诉"})

    world.suspended = _county_case(o, users, "投资纠纷")
    lifecycle.suspend_case(case=world.suspended, actor=officer, reason="等待法院判决")
    _meetings(world, o)
    _mediation(world, o)
    _agreements(world, o)
    return world


module_media, media_root, built = built_once(_build)


@pytest.fixture
def world(db, built) -> World:
    return built


# The routes: where each row's URL points, what its POST sends and what an allowed POST
# did. A row's answers are in TABLE; the routes only say how to ask.


@dataclass
class Method:
    data: Callable[[World], dict] = lambda w: {}
    # What an allowed request did: (world, user, response), asserting. None: it changes
    # nothing stored (checked as for a refusal).
    effect: Callable | None = None


@dataclass
class Row:
    url: Callable[[World], str]
    post: Method = field(default_factory=Method)
    public: bool = False  # served to anonymous visitors too (it may send them to log in)


def _case(name: str, which: str = "case") -> Callable[[World], str]:
    return lambda w: reverse(name, args=[getattr(w, which).pk])


def _task(name: str, which: str = "task") -> Callable[[World], str]:
    return lambda w: reverse(name, args=[getattr(w, which).pk])


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _claimant(world: World) -> Party:
    return world.case.parties.order_by("id").first()


def _correction(world: World) -> dict:
    """The claimant's details as they are, with a new phone number."""
    person = _claimant(world).person
    return {
        "role": "claimant",
        "name_zh": person.name_zh,
        "name_latin": person.name_latin,
        "identity": person.identity,
        "residence_country": str(person.residence_country),
        "time_zone": str(person.time_zone),
        "preferred_language": person.preferred_language,
        "phone": "+60 12-987 6543",
    }


REGISTRATION = {
    "title": "侨房修缮纠纷",
    "category": "houses",
    "channel": "letter",
    "received_on": "2026-11-20",
    "summary": "来函反映侨房受损。",
    "claims": "修缮侨房。",
    "risk_level": "low",
    "party-TOTAL_FORMS": "1",
    "party-INITIAL_FORMS": "0",
    "party-MIN_NUM_FORMS": "1",
    "party-MAX_NUM_FORMS": "20",
    "party-0-role": "claimant",
    "party-0-new_name_zh": "谭新",
    "party-0-new_identity": "huaqiao",
}


# Effects of the allowed writes.


def _event(which: str, kind: str, **fields) -> Callable:
    def check(w: World, user: User, response) -> None:
        case = getattr(w, which)
        assert CaseEvent.objects.filter(case=case, actor=user, kind=kind, **fields).exists()

    return check


def _status(which: str, status: str, **more) -> Callable:
    def check(w: World, user: User, response) -> None:
        case = _fresh(getattr(w, which))
        assert case.status == status
        for name, value in more.items():
            assert getattr(case, name) == value, name

    return check


def _holder(which: str, owner: Callable[[World, User], User | None]) -> Callable:
    def check(w: World, user: User, response) -> None:
        task = _fresh(getattr(w, which))
        assert task.owner == owner(w, user)
        assert task.status == (STATUS.ASSIGNED if task.owner else STATUS.NEW)

    return check


def _done(which: str, then: Callable) -> Callable:
    """The task is done by the user, and what its completion did."""

    def check(w: World, user: User, response) -> None:
        task = _fresh(getattr(w, which))
        assert (task.status, task.owner) == (STATUS.DONE, user)
        then(w, user, response)

    return check


def _registered(w: World, user: User, response) -> None:
    case = Case.objects.get(title=REGISTRATION["title"])
    assert case.handling_organisation == w.county
    assert list(case.parties.values_list("person__name_zh", flat=True)) == ["谭新"]


def _preferences_saved(w: World, user: User, response) -> None:
    user = _fresh(user)
    assert (user.language, str(user.time_zone)) == ("en", "Asia/Kuala_Lumpur")


def _language_chosen(w: World, user: User, response) -> None:
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def _logged_out(w: World, user: User, response) -> None:
    assert "_auth_user_id" not in response.wsgi_request.session


def _party_added(w: World, user: User, response) -> None:
    assert w.case.parties.filter(role="third_party", person__name_zh="谭第三").exists()


def _party_corrected(w: World, user: User, response) -> None:
    assert "98765" in _claimant(w).person.phone.replace(" ", "").replace("-", "")


def _department_invited(w: World, user: User, response) -> None:
    assert w.case.participants.filter(relation="department", organisation=w.housing).exists()


def _extended(w: World, user: User, response) -> None:
    clock = w.review_case.deadlines.get(kind=Deadline.Kind.HANDLING, stopped_on__isnull=True)
    assert (clock.extension_days, clock.extension_reason) == (10, "案情复杂")


def _withdrawn(w: World, user: User, response) -> None:
    _status("case", "withdrawn")(w, user, response)
    assert Withdrawal.objects.get(case=w.case).statement == "当事人来函撤回"


def _suspended(w: World, user: User, response) -> None:
    _status("case", "suspended")(w, user, response)
    assert Suspension.objects.get(case=w.case, resumed_on=None).reason == "等待法院判决"


def _resumed(w: World, user: User, response) -> None:
    _status("suspended", "registered")(w, user, response)
    assert Suspension.objects.get(case=w.suspended).resumed_by == user


def _reopened(w: World, user: User, response) -> None:
    _status("declined", "screening")(w, user, response)
    assert CaseProcess.objects.filter(case=w.declined).count() == 2


def _reported_up(w: World, user: User, response) -> None:
    assert _fresh(w.case).handling_organisation == w.city
    assert CaseAccess.objects.filter(case=w.case, organisation=w.county).exists()


def _case_file_ordered(w: World, user: User, response) -> None:
    assert w.case.documents.filter(kind="case_file", issued_by=user).exists()


def _evidence_added(w: World, user: User, response) -> None:
    assert w.case.evidence.filter(uploaded_by=user, title="村委会证明").count() == 1
    assert w.case.evidence.count() == 2


def _sent_down(w: World, user: User, response) -> None:
    task = _fresh(w.task)
    assert (task.owner_permission_obj_pk, task.owner) == (str(w.village.pk), None)
    assert CaseAccess.objects.filter(case=w.case, organisation=w.village).exists()


def _referral_taken(w: World, user: User, response) -> None:
    clock = w.referred.deadlines.get(kind=Deadline.Kind.REFERRAL_OBJECTION)
    assert clock.stopped_on is not None
    _event("referred", CaseEvent.Kind.ASSIGNMENT, transition="take_referral")(w, user, response)


def _draft_saved(w: World, user: User, response) -> None:
    opinion = _fresh(w.seat).opinion
    assert (opinion.facts, opinion.revision) == ("事实", w.revision + 1)


def _asked(w: World, user: User, response) -> None:
    assert w.seat.questions.filter(text="请补充村委会意见").exists()


def _replaced(w: World, user: User, response) -> None:
    from workflows.review.models import Reviewer

    seats = Reviewer.objects.filter(review=w.vacant.review, adviser=w.spare_adviser)
    assert seats.exists()


def _answered(w: World, user: User, response) -> None:
    assert (_fresh(w.question).answer, _fresh(w.question).answered_by) == ("已补充", user)


def _meeting_moved(w: World, user: User, response) -> None:
    meeting = _fresh(w.meeting)
    assert (meeting.sequence, meeting.place) == (1, "紫金县人民政府二楼会议室")


def _draft_minutes_saved(w: World, user: User, response) -> None:
    assert list(_fresh(w.meeting).attendance.values_list("name", flat=True)) == ["张伟"]


def _minutes_reissued(w: World, user: User, response) -> None:
    minutes = _fresh(w.minuted).minutes
    assert (minutes.version, minutes.issued_by) == (2, user)


def _correction_noted(w: World, user: User, response) -> None:
    assert w.minuted.corrections.filter(author=user, text="漏列席人员").exists()


def _reply_handed_on(w: World, user: User, response) -> None:
    invitation = _fresh(w.invitation)
    assert invitation.delegated_to == w.colleague
    assert _fresh(Task.objects.get(pk=invitation.task_id)).owner == w.colleague


def _position_sent(w: World, user: User, response) -> None:
    assert _fresh(w.invitation).position == "建议先行勘界"


def _gone_on_without(w: World, user: User, response) -> None:
    assert _fresh(w.invitation).status == "unanswered"
    _event("meeting_case", "action_item")(w, user, response)


def _progress_reported(w: World, user: User, response) -> None:
    item = _fresh(w.action)
    assert item.status == "in_progress"
    assert item.reports.filter(author=user, text="已起草答复").exists()


def _move_data(w: World) -> dict:
    day = timezone.localdate() + datetime.timedelta(days=5)
    return {
        "day": day.isoformat(),
        "time": "14:30",
        "duration_minutes": 90,
        "place": "紫金县人民政府二楼会议室",
    }


def _subject(w: World, user: User) -> User:
    return user


def _seat_data(w: World) -> dict:
    return {"facts": "事实", "revision": _fresh(w.seat).opinion.revision}


# Mediation and the parties' own links.


def _mediating_claimant(w: World) -> Party:
    return w.mediating.parties.get()


def _session_data(w: World) -> dict:
    """A round in person with the claimant, next week at 10:00 Beijing time."""
    return {
        "mode": "in_person",
        "day": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        "time": "10:00",
        "zone": "Asia/Shanghai",
        "duration_minutes": 90,
        "place": "紫金县侨联调解室",
        "parties": [w.scheduling.parties.get().pk],
    }


def _scheduled(w: World, user: User, response) -> None:
    session = MediationSession.objects.get(case=w.scheduling)
    assert (session.round, session.place, session.scheduled_by) == (1, "紫金县侨联调解室", user)
    assert [a.party for a in session.attendees.all()] == [w.scheduling.parties.get()]


def _consent_data(w: World) -> dict:
    claimant = _mediating_claimant(w)
    return {
        "party": claimant.pk,
        "purpose": "electronic_service",
        "given": "yes",
        "how": "phone",
        "given_by": claimant.person.name_zh,
    }


def _consent_recorded(w: World, user: User, response) -> None:
    consent = Consent.objects.get(case=w.mediating, purpose="electronic_service")
    assert (consent.given, consent.how, consent.recorded_by) == (True, "phone", user)


def _month_extended(w: World, user: User, response) -> None:
    clock = w.mediating.deadlines.get(kind=Deadline.Kind.MEDIATION, stopped_on__isnull=True)
    assert clock.extension_days == 15
    extension = w.mediating.mediation_extensions.get()
    assert (extension.days, extension.agreed_by, extension.recorded_by) == (15, "双方当事人", user)


def _session_url(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.session.pk])


def _session_move_data(w: World) -> dict:
    day = timezone.localdate() + datetime.timedelta(days=5)
    return {
        "day": day.isoformat(),
        "time": "15:00",
        "zone": "Asia/Shanghai",
        "duration_minutes": 60,
    }


def _session_moved(w: World, user: User, response) -> None:
    session = _fresh(w.session)
    beijing = timezone.localtime(session.starts_at, timezone.get_default_timezone())
    assert (session.sequence, session.duration_minutes) == (1, 60)
    assert (beijing.date(), beijing.time()) == (
        timezone.localdate() + datetime.timedelta(days=5),
        datetime.time(15, 0),
    )


def _session_cancelled(w: World, user: User, response) -> None:
    session = _fresh(w.session)
    assert (session.status, session.cancel_reason) == ("cancelled", "当事人临时出差")


def _record_data(w: World) -> dict:
    attendee = w.session.attendees.get()
    return {"statements": "被申请人同意让出通道。", f"attended_{attendee.pk}": "yes"}


def _record_saved(w: World, user: User, response) -> None:
    record = SessionRecord.objects.get(session=w.session)
    assert (record.status, record.statements, record.written_by) == (
        "draft",
        "被申请人同意让出通道。",
        user,
    )


def _link_issued(w: World, user: User, response) -> None:
    issued = PartyLink.objects.get(case=w.mediating, created_by=user, language="en")
    assert (issued.party, issued.revoked_at) == (_mediating_claimant(w), None)
    # The claimant's earlier live link opens nothing any more.
    assert _fresh(w.link).revoked_by == user


def _link_revoked(w: World, user: User, response) -> None:
    link = _fresh(w.link)
    assert link.revoked_at is not None and link.revoked_by == user


def _portal(name: str, token: str = "token") -> Callable[[World], str]:
    """A page of the party's own, reached with the token (no login: every column asks with
    the same link)."""
    return lambda w: reverse(name, args=[getattr(w, token)])


def _forged(w: World) -> str:
    """The live token with its signature's last character changed."""
    return _forge(w.token)


def _record_document(w: World) -> Document:
    return _fresh(w.record).document


def _section(name: str, view: str, token: str = "token") -> Callable[[World], str]:
    return lambda w: reverse("portal:section", args=[getattr(w, token), name, view])


STATEMENT = {"text": "补充：祖屋房契复印件已寄出。"}


def _statement_sent(w: World, user: User, response) -> None:
    sent = Submission.objects.get(case=w.mediating)
    assert (sent.party, sent.link, sent.text) == (w.link.party, w.link, STATEMENT["text"])


def _language_changed(w: World, user: User, response) -> None:
    assert _fresh(w.link).language == "en"


def _confirmation(w: World) -> dict:
    record = _fresh(w.record)
    return {"record": record.pk, "sha256": record.document.sha256, "answer": "confirm"}


def _record_confirmed(w: World, user: User, response) -> None:
    answer = RecordResponse.objects.get(record=w.record)
    assert (answer.party, answer.link, answer.confirmed) == (w.link.party, w.link, True)
    assert answer.document_sha256 == _record_document(w).sha256


# The agreement stage.


def _agreement(case: Case) -> SettlementAgreement:
    return SettlementAgreement.objects.select_related("document").get(case=case)


def _draft_data(w: World) -> dict:
    """The mediator's draft of @confirming as it is (its two terms), with new facts."""
    agreement = _agreement(w.confirming)
    terms = list(agreement.terms.order_by("order"))
    data = {
        "facts": "经调解查明：祖坟迁葬未经宗亲会同意。",
        **{
            name: getattr(agreement, name)
            for name in (
                *("facts_en", "disputes", "disputes_en"),
                *("responsibilities", "responsibilities_en"),
            )
        },
        "terms-TOTAL_FORMS": str(len(terms)),
        "terms-INITIAL_FORMS": str(len(terms)),
        "terms-MIN_NUM_FORMS": "1",
        "terms-MAX_NUM_FORMS": "30",
    }
    for index, term in enumerate(terms):
        prefix = f"terms-{index}-"
        data |= {
            f"{prefix}obligor": term.obligor_id,
            f"{prefix}due_on": term.due_on.isoformat(),
            **{
                f"{prefix}{name}": getattr(term, name)
                for name in ("text", "text_en", "method", "method_en")
            },
        }
    return data


def _redrafted(w: World, user: User, response) -> None:
    """The text changed after version 1 went out: version 2 goes to the parties."""
    agreement = _agreement(w.confirming)
    assert (agreement.facts, agreement.version) == ("经调解查明：祖坟迁葬未经宗亲会同意。", 2)
    assert agreement.status == SettlementAgreement.Status.CONFIRMING


def _paper_data(w: World) -> dict:
    return {
        "paper-party": w.confirming.parties.get().pk,
        "paper-upload": _pdf(),
        "paper-sha256": _agreement(w.confirming).document.sha256,
    }


def _paper_filed(w: World, user: User, response) -> None:
    confirmation = Confirmation.objects.get(agreement__case=w.confirming)
    assert (confirmation.method, confirmation.by) == ("paper", user)
    assert confirmation.party == w.confirming.parties.get()
    assert confirmation.evidence.item == "08"


def _court_data(w: World) -> dict:
    return {"apply-court": "紫金县人民法院"}


def _applied(w: World, user: User, response) -> None:
    found = JudicialConfirmation.objects.get(agreement__case=w.following)
    assert (found.court, found.recorded_by, found.applied_on) == ("紫金县人民法院", user, None)
    assert found.application.kind == "judicial_application"


def _filing_recorded(w: World, user: User, response) -> None:
    found = JudicialConfirmation.objects.get(agreement__case=w.effective)
    assert found.applied_on == timezone.localdate()


def _ruling_data(w: World) -> dict:
    return {
        "ruling-ruling": "confirmed",
        "ruling-number": "（2026）粤1621民特12号",
        "ruling-ruled_on": timezone.localdate().isoformat(),
        "ruling-upload": _pdf(),
    }


def _ruled(w: World, user: User, response) -> None:
    found = JudicialConfirmation.objects.get(agreement__case=w.filed)
    assert (found.ruling, found.ruling_number) == ("confirmed", "（2026）粤1621民特12号")
    assert (found.ruling_copy.item, found.ruling_copy.uploaded_by) == ("11", user)


def _term_url(name: str, term: str, which: str = "effective") -> Callable[[World], str]:
    return lambda w: reverse(name, args=[getattr(w, which).pk, getattr(w, term).pk])


def _filed_term(w: World) -> Term:
    return Term.objects.filter(agreement__case=w.filed).order_by("order").first()


def _term_changed(term: str, status: str, kind: str) -> Callable:
    """The term's new status, and its event by the user."""

    def check(w: World, user: User, response) -> None:
        found = _fresh(getattr(w, term))
        assert found.status == status
        assert found.events.filter(kind=kind, by=user).count() == 1

    return check


def _done_data(w: World) -> dict:
    prefix = f"term{w.pending_term.pk}-done-"
    return {f"{prefix}note": "堆放物已清理", f"{prefix}upload": _pdf()}


def _undone_data(w: World) -> dict:
    return {f"term{w.pending_term.pk}-undone-note": "堆放物仍未清理"}


NEW_DATE = datetime.date(2027, 3, 31)


def _resolve_data(w: World) -> dict:
    prefix = f"term{w.disputed_term.pk}-resolve-"
    return {
        f"{prefix}outcome": "more_time",
        f"{prefix}due_on": NEW_DATE.isoformat(),
        f"{prefix}note": "双方同意延期修复",
    }


def _more_time(w: World, user: User, response) -> None:
    _term_changed("disputed_term", "pending", "more_time")(w, user, response)
    assert _fresh(w.disputed_term).due_on == NEW_DATE


def _visit_data(w: World) -> dict:
    return {
        "visit-party": w.following.parties.get().pk,
        "visit-method": "visit",
        "visit-reason": "回访协议履行情况",
        "visit-performance": "协议已履行",
        "visit-satisfaction": "4",
        "visit-comment": "",
        "visit-visited_on": timezone.localdate().isoformat(),
    }


def _visited(w: World, user: User, response) -> None:
    # The flow's visit, by phone, is the world's.
    visit = FollowUpVisit.objects.get(case=w.following, visitor=user, method="visit")
    assert (visit.satisfaction, visit.reason) == (4, "回访协议履行情况")
    assert visit.document.kind == "follow_up_record"


def _agreement_section(view: str, token: str) -> Callable[[World], str]:
    return lambda w: reverse("portal:section", args=[getattr(w, token), "agreement", view])


def _follow_up_section(token: str) -> Callable[[World], str]:
    return lambda w: reverse("portal:section", args=[getattr(w, token), "follow_up", "answer"])


def _version_shown(w: World) -> dict:
    return {"sha256": _agreement(w.confirming).document.sha256}


def _code_sent(w: World, user: User, response) -> None:
    code = ConfirmationCode.objects.get(agreement__case=w.confirming)
    assert (code.link, code.email) == (w.confirm_link, "tham@example.my")
    assert Message.objects.filter(case=w.confirming, to_address="tham@example.my").exists()


def _code_data(w: World) -> dict:
    """The version shown and the code e-mailed for it: asked for here, in the test's own
    savepoint, before what is stored is read (a code lives 15 minutes, the world longer)."""
    from mediation.agreements import services

    sha256 = _agreement(w.confirming).document.sha256
    services.request_code(link=_fresh(w.confirm_link), sha256=sha256)
    body = Message.objects.filter(case=w.confirming, kind=services.CODE_EMAIL).get().body
    return {"sha256": sha256, "code": re.search(r"\b(\d{6})\b", body).group(1)}


def _confirmed_by_link(w: World, user: User, response) -> None:
    confirmation = Confirmation.objects.get(agreement__case=w.confirming)
    assert (confirmation.method, confirmation.party, confirmation.by) == (
        "link",
        w.confirm_link.party,
        None,
    )
    assert confirmation.sha256 == _agreement(w.confirming).document.sha256


def _unperformed_data(w: World) -> dict:
    return {"term": w.pending_term.pk, "note": "堆放物仍未清理"}


def _said_unperformed(w: World, user: User, response) -> None:
    term = _fresh(w.pending_term)
    assert term.status == "disputed"
    assert term.events.get(kind="disputed").party == w.effective_link.party


FOLLOW_UP_ANSWER = {"satisfaction": "5", "performance": "已按协议清理和修复", "comment": ""}


def _answered_by_link(w: World, user: User, response) -> None:
    answer = FollowUpVisit.objects.get(case=w.following, method="link")
    assert (answer.party, answer.visitor, answer.satisfaction) == (
        w.following_link.party,
        None,
        5,
    )


def _forge(token: str) -> str:
    """The token with its signature's last character changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


ROUTES: dict[str, Row] = {
    # A redirect to the queue, whatever the method.
    "home": Row(lambda w: reverse("home"), public=True),
    "login": Row(
        lambda w: reverse("login"),
        Method(data=lambda w: {"username": "nobody", "password": "wrong"}),
        public=True,
    ),
    "logout": Row(lambda w: reverse("logout"), Method(effect=_logged_out), public=True),
    # Django's own view: a GET changes nothing and goes back.
    "set_language": Row(
        lambda w: reverse("set_language"),
        Method(data=lambda w: {"language": "en"}, effect=_language_chosen),
        public=True,
    ),
    "workflows:queue": Row(lambda w: reverse("workflows:queue")),
    "workflows:queue_export": Row(lambda w: reverse("workflows:queue_export")),
    "cases:list": Row(lambda w: reverse("cases:list")),
    "cases:export": Row(lambda w: reverse("cases:export")),
    "cases:preferences": Row(
        lambda w: reverse("cases:preferences"),
        Method(
            data=lambda w: {"language": "en", "time_zone": "Asia/Kuala_Lumpur"},
            effect=_preferences_saved,
        ),
    ),
    "workflows:register": Row(
        lambda w: reverse("workflows:register"),
        Method(
            data=lambda w: {**REGISTRATION, "handling_organisation": w.county.pk},
            effect=_registered,
        ),
    ),
    "workflows:case": Row(_case("workflows:case")),
    # One panel of the case page alone (the documents panel refreshes itself with it).
    "workflows:case_panel": Row(
        lambda w: reverse("workflows:case_panel", args=[w.case.pk, "documents"])
    ),
    "cases:add_communication": Row(
        _case("cases:add_communication"),
        Method(
            data=lambda w: {
                "channel": "phone",
                "counterpart": "谭先生",
                "occurred_at": "2026-11-20T10:00",
                "summary": "电话沟通进展。",
            },
            effect=_event("case", CaseEvent.Kind.COMMUNICATION, counterpart="谭先生"),
        ),
    ),
    "cases:add_note": Row(
        _case("cases:add_note"),
        Method(
            data=lambda w: {"text": "备注"},
            effect=_event("case", CaseEvent.Kind.NOTE, summary="备注"),
        ),
    ),
    "cases:invite": Row(
        _case("cases:invite"),
        Method(
            data=lambda w: {"relation": "department", "organisation": w.housing.pk},
            effect=_department_invited,
        ),
    ),
    "cases:add_party": Row(
        _case("cases:add_party"),
        Method(
            data=lambda w: {
                "role": "third_party",
                "new_name_zh": "谭第三",
                "new_identity": "qiaojuan",
                "new_residence_country": "CN",
            },
            effect=_party_added,
        ),
    ),
    "cases:correct_party": Row(
        lambda w: reverse("cases:correct_party", args=[w.case.pk, _claimant(w).pk]),
        Method(data=_correction, effect=_party_corrected),
    ),
    "workflows:report_up": Row(
        _case("workflows:report_up"),
        Method(data=lambda w: {"reason": "涉外"}, effect=_reported_up),
    ),
    "workflows:withdraw": Row(
        _case("workflows:withdraw"),
        Method(
            data=lambda w: {"channel": "letter", "statement": "当事人来函撤回"},
            effect=_withdrawn,
        ),
    ),
    "workflows:suspend": Row(
        _case("workflows:suspend"),
        Method(data=lambda w: {"reason": "等待法院判决"}, effect=_suspended),
    ),
    "documents:export_case_file": Row(
        _case("documents:export_case_file"), Method(effect=_case_file_ordered)
    ),
    "documents:upload_evidence": Row(
        _case("documents:upload_evidence"),
        Method(
            data=lambda w: {"item": "06", "title": "村委会证明", "upload": _pdf()},
            effect=_evidence_added,
        ),
    ),
    "documents:download": Row(lambda w: reverse("documents:download", args=[w.document.pk])),
    # Viewing a PDF as page images: the viewer page and one page's PNG.
    "documents:view_document": Row(
        lambda w: reverse("documents:view_document", args=[w.document.pk])
    ),
    "documents:document_page": Row(
        lambda w: reverse("documents:document_page", args=[w.document.pk, 1])
    ),
    "documents:view_evidence": Row(
        lambda w: reverse("documents:view_evidence", args=[w.evidence.pk])
    ),
    "documents:evidence_page": Row(
        lambda w: reverse("documents:evidence_page", args=[w.evidence.pk, 1])
    ),
    "workflows:task": Row(
        _task("workflows:task"),
        Method(
            data=lambda w: {"notes": "事实清楚"},
            effect=_done("task", _status("case", "screening")),
        ),
    ),
    "workflows:claim": Row(_task("workflows:claim"), Method(effect=_holder("task", _subject))),
    "workflows:release": Row(
        _task("workflows:release"), Method(effect=_holder("task", lambda w, u: None))
    ),
    "workflows:send_down": Row(
        _task("workflows:send_down"),
        Method(data=lambda w: {"organisation": w.village.pk}, effect=_sent_down),
    ),
    "workflows:task@sent_down": Row(
        _task("workflows:task", "down_task"),
        Method(
            data=lambda w: {"notes": "村委会已核实"},
            effect=_done("down_task", _status("sent_down", "screening")),
        ),
    ),
    "workflows:claim@sent_down": Row(
        _task("workflows:claim", "down_task"), Method(effect=_holder("down_task", _subject))
    ),
    "workflows:case@referred": Row(_case("workflows:case", "referred")),
    "cases:add_note@referred": Row(
        _case("cases:add_note", "referred"),
        Method(
            data=lambda w: {"text": "备注"},
            effect=_event("referred", CaseEvent.Kind.NOTE, summary="备注"),
        ),
    ),
    "workflows:task@referral": Row(
        _task("workflows:task", "referral_task"),
        Method(
            data=lambda w: {"response": "accept"},
            effect=_done("referral_task", _referral_taken),
        ),
    ),
    "workflows:claim@referral": Row(
        _task("workflows:claim", "referral_task"),
        Method(effect=_holder("referral_task", _subject)),
    ),
    "workflows:extend_deadline": Row(
        _case("workflows:extend_deadline", "review_case"),
        Method(data=lambda w: {"days": 10, "reason": "案情复杂"}, effect=_extended),
    ),
    "workflows:resume": Row(
        _case("workflows:resume", "suspended"),
        Method(data=lambda w: {"reason": "法院已判决"}, effect=_resumed),
    ),
    "workflows:reopen": Row(
        _case("workflows:reopen", "declined"),
        Method(data=lambda w: {"reason": "新事实"}, effect=_reopened),
    ),
    "review:declare": Row(
        lambda w: reverse("review:declare", args=[w.seat.pk]),
        Method(data=lambda w: {"has_conflict": "no"}),
    ),
    "review:save_draft": Row(
        lambda w: reverse("review:save_draft", args=[w.seat.pk]),
        Method(data=_seat_data, effect=_draft_saved),
    ),
    "review:ask": Row(
        lambda w: reverse("review:ask", args=[w.seat.pk]),
        Method(data=lambda w: {"text": "请补充村委会意见"}, effect=_asked),
    ),
    "review:replace": Row(
        lambda w: reverse("review:replace", args=[w.vacant.pk]),
        Method(
            data=lambda w: {
                "adviser": w.spare_adviser.pk,
                "due_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            },
            effect=_replaced,
        ),
    ),
    "review:answer": Row(
        lambda w: reverse("review:answer", args=[w.question.pk]),
        Method(data=lambda w: {"answer": "已补充"}, effect=_answered),
    ),
    "review:committee": Row(lambda w: reverse("review:committee")),
    "coordination:meeting": Row(lambda w: reverse("coordination:meeting", args=[w.meeting.pk])),
    "coordination:calendar": Row(lambda w: reverse("coordination:calendar", args=[w.meeting.pk])),
    "coordination:move": Row(
        lambda w: reverse("coordination:move", args=[w.meeting.pk]),
        Method(data=_move_data, effect=_meeting_moved),
    ),
    "coordination:draft": Row(
        lambda w: reverse("coordination:draft", args=[w.meeting.pk]),
        Method(
            data=lambda w: minutes_data(w.meeting_case, attended="张伟，紫金县信访局"),
            effect=_draft_minutes_saved,
        ),
    ),
    "coordination:reissue@minuted": Row(
        lambda w: reverse("coordination:reissue", args=[w.minuted.pk]),
        Method(effect=_minutes_reissued),
    ),
    "coordination:correction@minuted": Row(
        lambda w: reverse("coordination:correction", args=[w.minuted.pk]),
        Method(data=lambda w: {"text": "漏列席人员"}, effect=_correction_noted),
    ),
    "coordination:delegate": Row(
        lambda w: reverse("coordination:delegate", args=[w.invitation.pk]),
        Method(data=lambda w: {"colleague": w.colleague.pk}, effect=_reply_handed_on),
    ),
    "coordination:position": Row(
        lambda w: reverse("coordination:position", args=[w.invitation.pk]),
        Method(data=lambda w: {"text": "建议先行勘界"}, effect=_position_sent),
    ),
    "coordination:override": Row(
        _case("coordination:override", "meeting_case"),
        Method(data=lambda w: {"reason": "部门未按时答复"}, effect=_gone_on_without),
    ),
    "coordination:items": Row(lambda w: reverse("coordination:items")),
    "coordination:progress@minuted": Row(
        lambda w: reverse("coordination:progress", args=[w.action.pk]),
        Method(data=lambda w: {"text": "已起草答复"}, effect=_progress_reported),
    ),
    "sessions:mine": Row(lambda w: reverse("sessions:mine")),
    "sessions:case": Row(_case("sessions:case", "mediating")),
    "sessions:schedule@scheduling": Row(
        _case("sessions:schedule", "scheduling"),
        Method(data=_session_data, effect=_scheduled),
    ),
    "sessions:consent": Row(
        _case("sessions:consent", "mediating"),
        Method(data=_consent_data, effect=_consent_recorded),
    ),
    "sessions:extend": Row(
        _case("sessions:extend", "mediating"),
        Method(
            data=lambda w: {"days": 15, "agreed_by": "双方当事人", "reason": "双方同意继续调解"},
            effect=_month_extended,
        ),
    ),
    "sessions:move": Row(
        _session_url("sessions:move"),
        Method(data=_session_move_data, effect=_session_moved),
    ),
    "sessions:cancel": Row(
        _session_url("sessions:cancel"),
        Method(data=lambda w: {"reason": "当事人临时出差"}, effect=_session_cancelled),
    ),
    "sessions:record": Row(
        _session_url("sessions:record"), Method(data=_record_data, effect=_record_saved)
    ),
    "sessions:calendar": Row(_session_url("sessions:calendar")),
    "workflows:issue_link": Row(
        _case("workflows:issue_link", "mediating"),
        Method(
            data=lambda w: {"party": _mediating_claimant(w).pk, "language": "en", "days": 14},
            effect=_link_issued,
        ),
    ),
    "workflows:revoke_link": Row(
        lambda w: reverse("workflows:revoke_link", args=[w.mediating.pk, w.link.pk]),
        Method(effect=_link_revoked),
    ),
    "portal:home": Row(_portal("portal:home")),
    "portal:home@revoked": Row(_portal("portal:home", "revoked_token")),
    "portal:home@expired": Row(_portal("portal:home", "expired_token")),
    "portal:home@forged": Row(lambda w: reverse("portal:home", args=[_forged(w)])),
    "portal:document": Row(
        lambda w: reverse("portal:document", args=[w.token, _record_document(w).pk])
    ),
    "portal:document@other": Row(
        lambda w: reverse("portal:document", args=[w.token, w.document.pk])
    ),
    "portal:send": Row(
        _portal("portal:send"), Method(data=lambda w: STATEMENT, effect=_statement_sent)
    ),
    "portal:send@revoked": Row(
        _portal("portal:send", "revoked_token"), Method(data=lambda w: STATEMENT)
    ),
    "portal:language": Row(
        _portal("portal:language"),
        Method(data=lambda w: {"language": "en"}, effect=_language_changed),
    ),
    "portal:section": Row(_section("next_session", "calendar")),
    "portal:section@confirm": Row(
        _section("session_records", "confirm"),
        Method(data=_confirmation, effect=_record_confirmed),
    ),
    "portal:section@expired": Row(
        _section("session_records", "confirm", "expired_token"), Method(data=_confirmation)
    ),
    "agreements:case": Row(_case("agreements:case", "effective")),
    "agreements:case@confirming": Row(_case("agreements:case", "confirming")),
    "agreements:case@following": Row(_case("agreements:case", "following")),
    "agreements:draft@confirming": Row(
        _case("agreements:draft", "confirming"), Method(data=_draft_data, effect=_redrafted)
    ),
    "agreements:paper@confirming": Row(
        _case("agreements:paper", "confirming"), Method(data=_paper_data, effect=_paper_filed)
    ),
    "agreements:judicial_apply@following": Row(
        _case("agreements:judicial_apply", "following"),
        Method(data=_court_data, effect=_applied),
    ),
    "agreements:judicial_filed": Row(
        _case("agreements:judicial_filed", "effective"),
        Method(
            data=lambda w: {"filing-applied_on": timezone.localdate().isoformat()},
            effect=_filing_recorded,
        ),
    ),
    "agreements:judicial_ruling@filed": Row(
        _case("agreements:judicial_ruling", "filed"), Method(data=_ruling_data, effect=_ruled)
    ),
    "agreements:term_done": Row(
        _term_url("agreements:term_done", "pending_term"),
        Method(data=_done_data, effect=_term_changed("pending_term", "done", "performed")),
    ),
    "agreements:term_done@other_term": Row(
        lambda w: reverse("agreements:term_done", args=[w.effective.pk, _filed_term(w).pk]),
        Method(data=_done_data),
    ),
    "agreements:term_undone": Row(
        _term_url("agreements:term_undone", "pending_term"),
        Method(data=_undone_data, effect=_term_changed("pending_term", "disputed", "disputed")),
    ),
    "agreements:term_resolve": Row(
        _term_url("agreements:term_resolve", "disputed_term"),
        Method(data=_resolve_data, effect=_more_time),
    ),
    "agreements:visit@following": Row(
        _case("agreements:visit", "following"), Method(data=_visit_data, effect=_visited)
    ),
    "portal:section@code": Row(
        _agreement_section("code", "confirm_token"),
        Method(data=_version_shown, effect=_code_sent),
    ),
    "portal:section@code_revoked": Row(
        _agreement_section("code", "confirm_revoked_token"), Method(data=_version_shown)
    ),
    "portal:section@code_other": Row(
        _agreement_section("code", "token"), Method(data=_version_shown)
    ),
    "portal:section@confirm_agreement": Row(
        _agreement_section("confirm", "confirm_token"),
        Method(data=_code_data, effect=_confirmed_by_link),
    ),
    "portal:section@unperformed": Row(
        _agreement_section("unperformed", "effective_token"),
        Method(data=_unperformed_data, effect=_said_unperformed),
    ),
    "portal:section@unperformed_expired": Row(
        _agreement_section("unperformed", "effective_expired_token"),
        Method(data=_unperformed_data),
    ),
    "portal:section@unperformed_other": Row(
        _agreement_section("unperformed", "effective_token"),
        Method(data=lambda w: {"term": _filed_term(w).pk, "note": "堆放物仍未清理"}),
    ),
    "portal:section@follow_up": Row(
        _follow_up_section("following_token"),
        Method(data=lambda w: FOLLOW_UP_ANSWER, effect=_answered_by_link),
    ),
    "portal:section@follow_up_forged": Row(
        lambda w: reverse(
            "portal:section", args=[_forge(w.following_token), "follow_up", "answer"]
        ),
        Method(data=lambda w: FOLLOW_UP_ANSWER),
    ),
    "portal:section@follow_up_other": Row(
        _follow_up_section("confirm_token"), Method(data=lambda w: FOLLOW_UP_ANSWER)
    ),
    "admin:index": Row(lambda w: reverse("admin:index")),
    "admin:cases_case_changelist": Row(lambda w: reverse("admin:cases_case_changelist")),
}


def _route_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name or pattern.pattern}")
    return names


def test_it_has_an_entry_for_every_route():
    every = _route_names(get_resolver().url_patterns)
    rows = {name.split("@")[0] for name in ROUTES}
    # Every page of the administration site is behind the same staff check, tested above.
    missing = {n for n in every if not n.startswith("admin:")} - rows
    assert not missing, f"routes without a row in the permission matrix: {sorted(missing)}"
    assert not rows - every, "rows for routes that no longer exist"
    lines = {(name, method) for name in ROUTES for method in ("GET", "POST")}
    assert set(TABLE) == lines, "ROUTES and the table disagree on the rows"


def test_it_knows_what_every_allowed_write_does():
    """A POST allowed to someone either has its effect checked or is said to store
    nothing (then checked as a refusal is)."""
    writes_nothing = {"home", "login", "admin:index", "admin:cases_case_changelist"}
    for name, row in ROUTES.items():
        if "ok" in TABLE[name, "POST"].values() and row.post.effect is None:
            assert name in writes_nothing, f"{name}: what does an allowed POST change?"


# Asking -------------------------------------------------------------------------------


def _stored() -> dict[str, list]:
    """Every row a request could write: the cases (status and every field), their
    timeline, clocks, parties, participants, access, documents, evidence, the outbox, the
    process and its tasks, the review, the meetings, the consents, the parties' links and
    what they sent, mediation, the agreements, and the users' settings. Not the links' log
    (``LinkUse``): every use of a link is logged, refused or not."""
    from mediation.coordination import models as coordination
    from mediation.sessions import models as mediation
    from workflows.review.models import LegalReview, Opinion, Question, Reviewer

    models = [
        Case,
        CaseEvent,
        CaseAccess,
        CaseParticipant,
        Party,
        Person,
        Organisation,
        Deadline,
        Message,
        Withdrawal,
        Suspension,
        Document,
        Evidence,
        CaseProcess,
        Task,
        Outcome,
        LegalReview,
        Reviewer,
        Opinion,
        Question,
        coordination.Meeting,
        coordination.AgendaItem,
        coordination.Invitation,
        coordination.Guest,
        coordination.Attendance,
        coordination.ActionItem,
        coordination.ActionReport,
        coordination.MinutesCorrection,
        Consent,
        PartyLink,
        Submission,
        *(mediation.Mediator, mediation.Assignment, mediation.MediationSession),
        *(mediation.Attendee, mediation.SessionRecord, mediation.RecordResponse),
        *(mediation.Proposal, mediation.MediationResult, mediation.ClockExtension),
        *(SettlementAgreement, Term, TermEvent, Confirmation, ConfirmationCode),
        *(JudicialConfirmation, FollowUpVisit),
    ]
    # A model's table, and its parents' (the process's own fields are viewflow's Process's).
    found = {t.__name__: _rows(t) for m in models for t in (m, *m._meta.get_parent_list())}
    found["User"] = _rows(User, "id", "language", "time_zone")
    return found


def _rows(model, *fields: str) -> list[tuple]:
    """Every row of the model's table (the fields named, or all its columns), the column
    names first. In SQL: as an ORM query for each of twenty tables, twice a test, this took
    half the module's time."""
    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(f).column) for f in fields] or ["*"]
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {pk}")
        return [tuple(c[0] for c in cursor.description), *cursor.fetchall()]


def _errors(response) -> list[str]:
    return [str(m) for m in messages.get_messages(response.wsgi_request) if m.level_tag == "error"]


def _check_answer(response, expected: str, public: bool) -> None:
    status = response.status_code
    if expected == "ok":
        assert status in (200, 302), status
        if status == 302 and not public:
            assert not response.url.startswith((reverse("login"), reverse("admin:login")))
        assert not _errors(response), _errors(response)
    elif expected == "msg":
        assert status == 302, status
        assert _errors(response), "sent back without saying why"
    elif expected == "form":
        assert status == 200, status
        assert response.context["form"].errors
    elif expected in ("log", "adm"):
        assert status == 302, status
        assert response.url.startswith(reverse("admin:login" if expected == "adm" else "login"))
    else:
        assert status == int(expected), status


CASES = [
    (name, method, subject) for name in ROUTES for method in ("GET", "POST") for subject in SUBJECTS
]


@pytest.mark.parametrize(("name", "method", "subject"), CASES)
def test_it_answers_as_the_capability_table_says(client, world, name, method, subject):
    expected = TABLE[name, method][subject]
    row = ROUTES[name]
    user = world.users.get(subject)
    if user is not None:
        client.force_login(user)
    url = row.url(world)
    data = row.post.data(world) if method == "POST" else {}
    before = _stored()

    response = client.get(url) if method == "GET" else client.post(url, data)

    _check_answer(response, expected, row.public)
    if expected == "ok" and method == "POST" and row.post.effect is not None:
        row.post.effect(world, user, response)
    else:
        assert _stored() == before, "a refused request, or a GET, changed something"
