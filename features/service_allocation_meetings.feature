Feature: Service allocation: the joint allocation meeting, triangulation, changed needs and long-term users
  Porsgrunn kommune ("Mulighetsrommet i forløp 3", on influence over service allocation) recommends joint allocation
  meetings (felles tildelingsmøter), triangulation talks when the parties disagree (trianguleringssamtaler ved
  uenighet) and more frequent re-assessments (hyppigere revurderinger) for long-term users. The Kragerø plan
  (chapter 7.0) asks for routines by which staff report changed needs they notice while providing a service.

  - Before every decision on an application the case is discussed in a joint allocation meeting of the allocation
    office, the services and the team; the meeting records who took part, its recommendation and whether the parties
    agree. When they do not, the allocation office holds a triangulation talk with the user and the service, and then
    makes the decision. Whether every case goes to the meeting is a local choice: flagged UNCONFIRMED.
  - While a decision runs, staff report changed needs with the message "needs_changed_reported" (from outside, with
    POST /instances/{id}/messages or from the timeline). The allocation office gets a task to reassess the decision:
    the decision stands (it runs on with the same end date) or a new decision is made.
  - A decision can mark the user as long-term. A long-term user's services are re-assessed at least every three
    calendar months (local configuration, flagged UNCONFIRMED), counted from the decision or the last re-assessment
    that let it stand; the task opens 28 days before (UNCONFIRMED). The evaluation before expiry also counts as a
    re-assessment.

  Background:
    Given an application for municipal health and care services was received on Monday 2026-01-05
    And the allocation office registered the request from the GP on Tuesday 2026-01-06

  # ---- the joint allocation meeting and the triangulation talk --------------------------------------------------

  Scenario: The case is discussed in a joint allocation meeting before the decision
    When the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    Then the task "allocation_meeting" is open in the lane "Tjenestekontor"
    And the task "decide_application" is not open
    When the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    Then the "allocation_meeting_held" measuring point was registered on Thursday 2026-01-15
    And the task "decide_application" is open in the lane "Tjenestekontor"
    And the task "decide_application" shows who took part in the meeting and its recommendation
    And the task "triangulation_talk" is not open
    And the "application answered" deadline is pending
    When the allocation office granted services until Tuesday 2026-06-30 on Monday 2026-01-19
    Then the "application answered" deadline is met
    And the "triangulation_talk_held" measuring point was registered 0 times

  Scenario: The meeting must say who took part
    Given the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    When the allocation office tried to record the meeting on Thursday 2026-01-15 without saying who took part
    Then the engine refuses the meeting because it must say who took part

  Scenario Outline: When the parties disagree at the meeting, a triangulation talk comes before the decision
    Given the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    When the case was discussed in the joint allocation meeting on Thursday 2026-01-15, the parties disagreeing
    Then the task "triangulation_talk" is open in the lane "Tjenestekontor"
    And the task "decide_application" is not open
    When the allocation office held a triangulation talk with the user and the service on Tuesday 2026-01-20, <result>
    Then the "triangulation_talk_held" measuring point was registered on Tuesday 2026-01-20
    And the task "decide_application" is open in the lane "Tjenestekontor"
    When the allocation office granted services until Tuesday 2026-06-30 on Thursday 2026-01-22
    Then the "decision_made" measuring point was registered on Thursday 2026-01-22
    And the "application answered" deadline is met

    Examples:
      | result             |
      | reaching agreement |
      | without agreement  |

  Scenario: After a provisional reply the case goes to the meeting, and to a triangulation talk, before the decision
    Given the team mapped the needs on Monday 2026-01-26, not expecting a decision within the month
    And the allocation office sent a provisional reply on Monday 2026-02-02, expecting a decision by Friday 2026-03-06
    Then the task "allocation_meeting_after_provisional_reply" is open in the lane "Tjenestekontor"
    When the case was discussed in the joint allocation meeting on Monday 2026-02-23, the parties disagreeing
    Then the task "triangulation_talk_after_provisional_reply" is open in the lane "Tjenestekontor"
    When the allocation office held a triangulation talk with the user and the service on Wednesday 2026-02-25, reaching agreement
    Then the task "decide_after_provisional_reply" is open in the lane "Tjenestekontor"
    And the task "decide_after_provisional_reply" shows who took part in the meeting and its recommendation
    When the allocation office granted services until Monday 2026-08-31 on Monday 2026-03-02
    Then the "decision_made" measuring point was registered on Monday 2026-03-02
    And the task "follow_up_late_decision" is not open

  # ---- changed needs reported while a decision runs -------------------------------------------------------------

  Scenario: Changed needs reported while a decision runs lead to a reassessment and a new decision
    Given the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    And the allocation office granted services until Tuesday 2026-06-30 on Monday 2026-01-19
    When staff reported changed needs on Monday 2026-03-02
    Then the "needs_changed_reported" measuring point was registered on Monday 2026-03-02
    And the task "reassess_after_changed_needs" is open in the lane "Tjenestekontor"
    And the task "reassess_after_changed_needs" shows the reported change
    When the allocation office reassessed the decision after the reported change on Wednesday 2026-03-04: "new_decision"
    Then the "decision_reassessed" measuring point was registered on Wednesday 2026-03-04
    And the task "renew_decision" is open in the lane "Tjenestekontor"
    When the allocation office made a new decision on Thursday 2026-03-05: "changed" until Monday 2026-08-31
    Then the "decision_made" measuring point was registered 2 times
    And no task is open
    When the scheduler runs on Tuesday 2026-06-02
    Then the task "evaluate_decision" is not open
    When the scheduler runs on Monday 2026-08-03
    Then the task "evaluate_decision" is open in the lane "Fagteam psykisk helse og rus"
    And the "decision evaluated before expiry" deadline is due on Monday 2026-08-31

  Scenario: A reassessment may let the decision stand; it runs on with the same end date, and staff may report again
    Given the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    And the allocation office granted services until Tuesday 2026-06-30 on Monday 2026-01-19
    And staff reported changed needs on Monday 2026-03-02
    When the allocation office reassessed the decision after the reported change on Wednesday 2026-03-04: "decision_stands"
    Then no task is open
    And the pathway is active
    And the "decision_made" measuring point was registered 1 times
    When staff reported changed needs on Wednesday 2026-04-01
    Then the task "reassess_after_changed_needs" is open
    When the allocation office reassessed the decision after the reported change on Wednesday 2026-04-01: "decision_stands"
    And the scheduler runs on Tuesday 2026-06-02
    Then the task "evaluate_decision" is open
    And the "decision evaluated before expiry" deadline is due on Tuesday 2026-06-30
    And there is no "reassessment long term" deadline

  Scenario: Changed needs are received only while a decision runs
    Then reporting changed needs on Wednesday 2026-01-07 is refused because no decision runs
    When the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    And the allocation office refused the application on Monday 2026-01-19
    Then the pathway is completed

  # ---- long-term users are re-assessed more often ---------------------------------------------------------------

  Scenario Outline: A long-term user is re-assessed within three months of the decision, and again three months later
    Given the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    When the allocation office granted services to a long-term user until Thursday 2026-12-31 on Monday 2026-01-19
    Then the "reassessment long term" deadline started on Monday 2026-01-19
    And the "reassessment long term" deadline is due on Sunday 2026-04-19
    And the "reassessment long term" deadline is flagged as unconfirmed
    When the scheduler runs on Saturday 2026-03-21
    Then the task "reassess_long_term_user" is not open
    When the scheduler runs on Sunday 2026-03-22
    Then the task "reassess_long_term_user" is open in the lane "Fagteam psykisk helse og rus"
    When the team reassessed the long-term user's services with the user on <reassessed>: "decision_stands"
    Then the "reassessment long term" deadline ended on <reassessed>
    And the "reassessment long term" deadline is <status>
    And the "decision_reassessed" measuring point was registered on <reassessed>
    And the "reassessment long term" deadline number 2 started on <reassessed>
    And the "reassessment long term" deadline number 2 is due on <next due>
    And no task is open
    And the "decision_made" measuring point was registered 1 times

    Examples:
      | reassessed        | status   | next due          |
      | Friday 2026-04-17 | met      | Friday 2026-07-17 |
      | Monday 2026-04-20 | breached | Monday 2026-07-20 |

  Scenario: A long-term user's re-assessment may lead to a new decision, which starts the next period
    Given the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    And the allocation office granted services to a long-term user until Thursday 2026-12-31 on Monday 2026-01-19
    When the scheduler runs on Sunday 2026-03-22
    And the team reassessed the long-term user's services with the user on Wednesday 2026-04-01: "new_decision"
    Then the "reassessment long term" deadline is met
    And the task "renew_decision" is open in the lane "Tjenestekontor"
    When the allocation office made a new decision for a long-term user on Friday 2026-04-03: "changed" until Thursday 2026-12-31
    Then the "reassessment long term" deadline number 2 started on Friday 2026-04-03
    And the "reassessment long term" deadline number 2 is due on Friday 2026-07-03

  Scenario: Changed needs reported for a long-term user count as a re-assessment too
    Given the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    And the allocation office granted services to a long-term user until Thursday 2026-12-31 on Monday 2026-01-19
    When staff reported changed needs on Monday 2026-03-02
    And the allocation office reassessed the decision after the reported change on Wednesday 2026-03-04: "decision_stands"
    Then the "reassessment long term" deadline is met
    And the "reassessment long term" deadline number 2 is due on Thursday 2026-06-04
    When the scheduler runs on Thursday 2026-05-07
    Then the task "reassess_long_term_user" is open

  Scenario: When the decision ends before the next re-assessment, the evaluation before expiry is the re-assessment
    Given the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    And the allocation office granted services to a long-term user until Friday 2026-04-10 on Monday 2026-01-19
    When the scheduler runs on Friday 2026-03-13
    Then the task "evaluate_decision" is open
    And the task "reassess_long_term_user" is not open
    When the team evaluated the decision with the user on Friday 2026-03-20: "end"
    Then the "reassessment long term" deadline is met
    And the "decision evaluated before expiry" deadline is met
    And the pathway is completed

  Scenario: A user not marked long-term gets no long-term re-assessment deadline and no re-assessment task
    Given the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    When the allocation office granted services until Thursday 2026-12-31 on Monday 2026-01-19
    Then there is no "reassessment long term" deadline
    When the scheduler runs on Monday 2026-06-01
    Then the task "reassess_long_term_user" is not open
    And no task is open
    When the scheduler runs on Thursday 2026-12-03
    Then the task "evaluate_decision" is open
    And the task "reassess_long_term_user" is not open
    And there is no "reassessment long term" deadline
