Feature: Allocation of municipal health and care services ("tildeling av kommunale helse- og omsorgstjenester")
  Requests come from the GP, from the DPS ward or outpatient clinic, or from the person's own application form.
  The team maps the needs; the allocation office (tjenestekontoret) writes the decision (vedtak). Source: Kragerø
  kommune, Delplan for psykisk helse og rus 2019–2040, chapters 4.1.2 and 7.0.

  Deadlines:
    application received → answered (a decision, or a provisional reply stating the expected processing time):
      within one month (calendar month: 5 January → 5 February; 31 January → 28 February);
      Public Administration Act § 11 a, https://lovdata.no/lov/1967-02-10/§11a
    decision expiry → evaluation: a decision is time-limited and its effect is evaluated before it is continued or
      changed. The evaluation opens a lead time before the decision's end date ("Vedtaket gjelder til"); the lead
      time (28 days) is in no source and is flagged UNCONFIRMED. The "decision evaluated before expiry" deadline
      starts when that reminder fires and runs for the lead time, so that it falls due on the end date.
  The unit lead (Enhetsleder) gets a task the day after a month has passed without an answer, the day after the
  processing time stated in a provisional reply, and the day after a decision expired without evaluation.
  Every decision on an application comes after the case was discussed in a joint allocation meeting (Porsgrunn,
  "forløp 3"); the meeting, the triangulation talk, changed needs and long-term users are in
  service_allocation_meetings.feature.

  Scenario: From the GP's request to the end of the service, with one evaluation and a continued decision (happy path)
    Given an application for municipal health and care services was received on Monday 2026-01-05
    Then the task "register_application" is open in the lane "Tjenestekontor"
    And the "application answered" deadline is due on Thursday 2026-02-05
    And the "application answered" deadline is confirmed by the Public Administration Act
    When the allocation office registered the request from the GP on Tuesday 2026-01-06
    Then the task "map_needs" is open in the lane "Fagteam psykisk helse og rus"
    When the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    Then the task "allocation_meeting" is open in the lane "Tjenestekontor"
    When the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    Then the task "decide_application" is open in the lane "Tjenestekontor"
    When the allocation office granted services until Tuesday 2026-06-30 on Monday 2026-01-19
    Then the "application answered" deadline ended on Monday 2026-01-19
    And the "application answered" deadline is met
    And the "decision_made" measuring point was registered on Monday 2026-01-19
    And no task is open
    And the pathway is active
    When the scheduler runs on Monday 2026-06-01
    Then the task "evaluate_decision" is not open
    When the scheduler runs on Tuesday 2026-06-02
    Then the task "evaluate_decision" is open in the lane "Fagteam psykisk helse og rus"
    And the "decision evaluated before expiry" deadline started on Tuesday 2026-06-02
    And the "decision evaluated before expiry" deadline is due on Tuesday 2026-06-30
    When the team evaluated the decision with the user on Monday 2026-06-15: "continue"
    Then the "decision evaluated before expiry" deadline is met
    And the task "renew_decision" is open in the lane "Tjenestekontor"
    When the allocation office made a new decision on Tuesday 2026-06-16: "continued" until Thursday 2026-12-31
    Then the "decision_made" measuring point was registered 2 times
    When the scheduler runs on Thursday 2026-12-03
    Then the task "evaluate_decision" is open
    And the "decision evaluated before expiry" deadline number 2 is due on Thursday 2026-12-31
    When the team evaluated the decision with the user on Monday 2026-12-14: "end"
    Then the "decision evaluated before expiry" deadline number 2 is met
    And the pathway is completed
    And the pathway was closed on Monday 2026-12-14
    And no task is open

  Scenario Outline: A request from any channel goes to the team for mapping
    Given an application for municipal health and care services was received on Monday 2026-01-05
    When the allocation office registered the request from <channel> on Wednesday 2026-01-07
    Then the task "map_needs" is open in the lane "Fagteam psykisk helse og rus"
    And the "application answered" deadline is pending

    Examples:
      | channel                           |
      | the GP                            |
      | the DPS ward or outpatient clinic |
      | the person's own application form |

  Scenario Outline: A decision within one month of the application is met, a day later it is breached
    Given an application for municipal health and care services was received on Monday 2026-01-05
    And the allocation office registered the request from the DPS ward or outpatient clinic on Tuesday 2026-01-06
    And the team mapped the needs on Monday 2026-01-26, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Wednesday 2026-01-28, all parties agreeing
    When the allocation office granted services until Monday 2026-08-31 on <decided>
    Then the "application answered" deadline is due on Thursday 2026-02-05
    And the "application answered" deadline ended on <decided>
    And the "application answered" deadline is <status>
    And the "application_answered" measuring point was registered on <decided>

    Examples:
      | decided             | status   |
      | Thursday 2026-02-05 | met      |
      | Friday 2026-02-06   | breached |

  Scenario Outline: A provisional reply with the expected processing time counts as the answer
    Given an application for municipal health and care services was received on Monday 2026-01-05
    And the allocation office registered the request from the person's own application form on Tuesday 2026-01-06
    And the team mapped the needs on Monday 2026-01-26, not expecting a decision within the month
    Then the task "send_provisional_reply" is open in the lane "Tjenestekontor"
    And the task "decide_application" is not open
    When the allocation office sent a provisional reply on <replied>, expecting a decision by Friday 2026-03-06
    Then the "application answered" deadline ended on <replied>
    And the "application answered" deadline is <status>
    And the task "allocation_meeting_after_provisional_reply" is open in the lane "Tjenestekontor"
    When the case was discussed in the joint allocation meeting on Monday 2026-03-02, all parties agreeing
    Then the task "decide_after_provisional_reply" is open in the lane "Tjenestekontor"
    When the allocation office granted services until Monday 2026-08-31 on Monday 2026-03-02
    Then the "application answered" deadline is <status>
    And the "application answered" deadline has been measured once
    And the "application_answered" measuring point was registered 1 times
    And the "decision_made" measuring point was registered on Monday 2026-03-02

    Examples:
      | replied             | status   |
      | Thursday 2026-02-05 | met      |
      | Friday 2026-02-06   | breached |

  Scenario Outline: "Within one month" counts calendar months
    Given an application for municipal health and care services was received on <received>
    And the allocation office registered the request from the GP on Monday 2026-02-02
    And the team mapped the needs on Monday 2026-02-09, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Monday 2026-02-09, all parties agreeing
    When the allocation office granted services until Monday 2026-08-31 on <decided>
    Then the "application answered" deadline is due on <due>
    And the "application answered" deadline is <status>

    Examples: 31 January + one month = 28 February
      | received            | due                 | decided             | status   |
      | Saturday 2026-01-31 | Saturday 2026-02-28 | Friday 2026-02-27   | met      |
      | Saturday 2026-01-31 | Saturday 2026-02-28 | Monday 2026-03-02   | breached |

  Scenario: An application not answered within one month is overdue and is escalated to the unit lead the day after
    Given an application for municipal health and care services was received on Monday 2026-01-05
    And the allocation office registered the request from the GP on Tuesday 2026-01-06
    When the scheduler runs on Thursday 2026-02-05
    Then the "application answered" deadline is pending
    And the task "follow_up_late_answer" is not open
    When it is Friday 2026-02-06
    Then the "application answered" deadline is overdue
    When the scheduler runs on Friday 2026-02-06
    Then the task "follow_up_late_answer" is open in the lane "Enhetsleder"
    And the task "map_needs" is open
    When the team mapped the needs on Monday 2026-02-09, not expecting a decision within the month
    And the allocation office sent a provisional reply on Monday 2026-02-09, expecting a decision by Monday 2026-03-09
    Then the "application answered" deadline is breached
    And the task "allocation_meeting_after_provisional_reply" is open
    And the task "follow_up_late_answer" is open in the lane "Enhetsleder"

  Scenario: A decision later than the processing time stated in the provisional reply is escalated to the unit lead
    Given an application for municipal health and care services was received on Monday 2026-01-05
    And the allocation office registered the request from the GP on Tuesday 2026-01-06
    And the team mapped the needs on Monday 2026-01-26, not expecting a decision within the month
    And the allocation office sent a provisional reply on Monday 2026-02-02, expecting a decision by Friday 2026-03-06
    When the scheduler runs on Friday 2026-03-06
    Then the task "follow_up_late_decision" is not open
    When the scheduler runs on Saturday 2026-03-07
    Then the task "follow_up_late_decision" is open in the lane "Enhetsleder"
    And the task "allocation_meeting_after_provisional_reply" is open
    When the case was discussed in the joint allocation meeting on Monday 2026-03-09, all parties agreeing
    And the allocation office granted services until Monday 2026-08-31 on Monday 2026-03-09
    Then the task "decide_after_provisional_reply" is not open
    And the task "follow_up_late_decision" is open in the lane "Enhetsleder"

  Scenario Outline: The decision is evaluated before it expires
    Given an application for municipal health and care services was received on Monday 2026-01-05
    And the allocation office registered the request from the GP on Tuesday 2026-01-06
    And the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    And the allocation office granted services until Tuesday 2026-06-30 on Monday 2026-01-19
    When the scheduler runs on Tuesday 2026-06-02
    Then the task "evaluate_decision" is open in the lane "Fagteam psykisk helse og rus"
    And the "decision_expiry_approaching" measuring point was registered on Tuesday 2026-06-02
    And the "decision evaluated before expiry" deadline is due on Tuesday 2026-06-30
    And the "decision evaluated before expiry" deadline is flagged as unconfirmed
    When the team evaluated the decision with the user on <evaluated>: "change"
    Then the "decision evaluated before expiry" deadline ended on <evaluated>
    And the "decision evaluated before expiry" deadline is <status>
    And the "decision_evaluated" measuring point was registered on <evaluated>
    And the task "renew_decision" is open
    When the allocation office made a new decision on <evaluated>: "changed" until Thursday 2026-12-31
    Then the "decision_made" measuring point was registered 2 times
    And the pathway is active

    Examples:
      | evaluated            | status   |
      | Tuesday 2026-06-30   | met      |
      | Wednesday 2026-07-01 | breached |

  Scenario: A decision that expires without evaluation is escalated to the unit lead the day after
    Given an application for municipal health and care services was received on Monday 2026-01-05
    And the allocation office registered the request from the GP on Tuesday 2026-01-06
    And the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    And the allocation office granted services until Tuesday 2026-06-30 on Monday 2026-01-19
    When the scheduler runs on Tuesday 2026-06-02
    Then the task "evaluate_decision" is open
    When the scheduler runs on Tuesday 2026-06-30
    Then the task "follow_up_expired_decision" is not open
    And the "decision evaluated before expiry" deadline is pending
    When the scheduler runs on Wednesday 2026-07-01
    Then the task "follow_up_expired_decision" is open in the lane "Enhetsleder"
    And the task "evaluate_decision" is open
    And the "decision evaluated before expiry" deadline is overdue
    When the team evaluated the decision with the user on Friday 2026-07-03: "end"
    Then the "decision evaluated before expiry" deadline is breached
    And the pathway is completed
    And no task is open

  Scenario: A refused application ends the pathway without an evaluation
    Given an application for municipal health and care services was received on Monday 2026-01-05
    And the allocation office registered the request from the person's own application form on Tuesday 2026-01-06
    And the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    When the allocation office refused the application on Monday 2026-01-19
    Then the "application answered" deadline is met
    And the pathway is completed
    And the pathway was closed on Monday 2026-01-19
    And no task is open
    And there is no "decision evaluated before expiry" deadline

  Scenario: Services cannot be granted without an end date
    Given an application for municipal health and care services was received on Monday 2026-01-05
    And the allocation office registered the request from the GP on Tuesday 2026-01-06
    And the team mapped the needs on Monday 2026-01-12, expecting a decision within the month
    And the case was discussed in the joint allocation meeting on Thursday 2026-01-15, all parties agreeing
    When the allocation office tried to grant services without an end date on Monday 2026-01-19
    Then the engine refuses the decision because a granted decision must be time-limited
    And the "application answered" deadline is pending
    When the allocation office granted services until Tuesday 2026-06-30 on Monday 2026-01-19
    Then the "application answered" deadline is met
