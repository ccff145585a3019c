Feature: Referral assessment within 10 working days ("vurdering av henvisning")
  The patient must be told within 10 working days of the referral being received whether they have a right to
  necessary care (pasient- og brukerrettighetsloven § 2-2). Working days are Monday to Friday, except Norwegian
  public holidays. "Within 10 working days" means: at the latest on the 10th working day after the day the
  referral was received.

  Scenario Outline: A referral assessed on or before the 10th working day is met, after it is breached
    Given an outpatient TSB referral was received on Monday 2026-01-05
    When the referral was assessed on <assessed> with right to care
    Then the "referral assessment" deadline is due on Monday 2026-01-19
    And the "referral assessment" deadline ended on <assessed>
    And the "referral assessment" deadline is <status>
    And the task "first_attendance" is open

    Examples:
      | assessed           | status   |
      | Friday 2026-01-09  | met      |
      | Monday 2026-01-19  | met      |
      | Tuesday 2026-01-20 | breached |

  Scenario: A referral not assessed in time is overdue and is escalated to the unit lead the day after
    Given an outpatient TSB referral was received on Monday 2026-01-05
    When it is Monday 2026-01-19
    Then the "referral assessment" deadline is pending
    And the task list shows "assess_referral" due on Monday 2026-01-19, not overdue
    When the scheduler runs on Monday 2026-01-19
    Then the task "follow_up_late_assessment" is not open
    When it is Tuesday 2026-01-20
    Then the "referral assessment" deadline is overdue
    And the "referral assessment" deadline has not ended
    And the task list shows "assess_referral" as overdue, due on Monday 2026-01-19
    And the task "follow_up_late_assessment" is not open
    When the scheduler runs on Tuesday 2026-01-20
    Then the task "follow_up_late_assessment" is open in the lane "Enhetsleder"
    And the task "assess_referral" is open
    And the "referral assessment" deadline is overdue
    When the referral was assessed on Wednesday 2026-01-21 with right to care
    Then the "referral assessment" deadline is breached
    And the task "first_attendance" is open
    And the task "follow_up_late_assessment" is open in the lane "Enhetsleder"

  Scenario Outline: Public holidays are not working days
    24 and 31 December are ordinary working days in Norwegian law; 25 and 26 December, 1 January, Maundy
    Thursday, Good Friday and Easter Monday are public holidays ("helligdager").

    Given an outpatient TSB referral was received on <received>
    Then the "referral assessment" deadline is due on <due>
    And the task list shows "assess_referral" due on <due>, not overdue
    When the referral was assessed on <assessed> with right to care
    Then the "referral assessment" deadline is <status>

    Examples: Easter 2026 (2, 3 and 6 April are public holidays)
      | received          | due                  | assessed             | status   |
      | Friday 2026-03-27 | Wednesday 2026-04-15 | Wednesday 2026-04-15 | met      |
      | Friday 2026-03-27 | Wednesday 2026-04-15 | Thursday 2026-04-16  | breached |

    Examples: Christmas 2026 (25 and 26 December and 1 January are public holidays, 24 and 31 December are not)
      | received             | due                | assessed             | status   |
      | Friday 2026-12-18    | Tuesday 2027-01-05 | Tuesday 2027-01-05   | met      |
      | Friday 2026-12-18    | Tuesday 2027-01-05 | Wednesday 2027-01-06 | breached |
      | Wednesday 2026-12-23 | Friday 2027-01-08  | Friday 2027-01-08    | met      |
      | Wednesday 2026-12-23 | Friday 2027-01-08  | Monday 2027-01-11    | breached |

  Scenario: A referral without right to care ends the pathway
    Given an outpatient TSB referral was received on Monday 2026-01-05
    When the referral was assessed on Thursday 2026-01-08 with no right to care
    Then the pathway is completed
    And the pathway was closed on Thursday 2026-01-08
    And the "referral assessment" deadline is met
    And the task "first_attendance" is not open
    And no task is open
    And there is no "assessment" deadline
    When the scheduler runs on Wednesday 2026-01-21
    Then no task is open
    And the "referral assessment" deadline is met
