Feature: Eating disorders in children and young people: referral, first attendance and the start of the pathway
  "Pakkeforløp spiseforstyrrelser hos barn og unge". Deadlines in calendar days (Helsedirektoratet, forløpstider
  spiseforstyrrelser hos barn og unge:
  https://www.helsedirektoratet.no/nasjonale-forlop/spiseforstyrrelser-hos-barn-og-unge/forlopstider-spiseforstyrrelser-hos-barn-og-unge-pakkeforlop):
    referral received → first attendance (= start of the pathway):  serious 7, less serious 28
    first attendance → clinical decision:                            outpatient 42, inpatient 14
    clinical decision → first evaluation:                            outpatient 28, inpatient 14
    between evaluations:                                             outpatient 42, inpatient 14
  As in every pathway, the referral is assessed within 10 working days (pasient- og brukerrettighetsloven § 2-2).
  The severity ("alvorlig" / "mindre alvorlig") is given when the pathway is started. A referral started without a
  severity is measured against the strictest deadline, 7 days, under a deadline of its own that is flagged as
  unconfirmed (a modelling choice; the source only has 7 and 28 days).
  The first attendance is the start of this pathway, under the 2019 rules and the revised 2024 rules alike.

  Scenario Outline: A serious condition: first attendance within 7 days of the referral, in either setting
    Given a serious <setting> referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Tuesday 2026-01-06 with right to care
    When the patient attended for the first time on <attended>
    Then the "first attendance (serious)" deadline started on Monday 2026-01-05
    And the "first attendance (serious)" deadline is due on Monday 2026-01-12
    And the "first attendance (serious)" deadline ended on <attended>
    And the "first attendance (serious)" deadline is <status>
    And the "first attendance (serious)" deadline is not flagged
    And there is no "first attendance (less serious)" deadline
    And there is no "first attendance (unclassified)" deadline
    And the pathway started on <attended>

    Examples:
      | setting    | attended           | status   |
      | outpatient | Monday 2026-01-12  | met      |
      | outpatient | Tuesday 2026-01-13 | breached |
      | inpatient  | Monday 2026-01-12  | met      |
      | inpatient  | Tuesday 2026-01-13 | breached |

  Scenario Outline: A less serious condition: first attendance within 28 days of the referral
    Given a less serious outpatient referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Monday 2026-01-19 with right to care
    When the patient attended for the first time on <attended>
    Then the "first attendance (less serious)" deadline is due on Monday 2026-02-02
    And the "first attendance (less serious)" deadline ended on <attended>
    And the "first attendance (less serious)" deadline is <status>
    And there is no "first attendance (serious)" deadline

    Examples:
      | attended           | status   |
      | Monday 2026-02-02  | met      |
      | Tuesday 2026-02-03 | breached |

  Scenario: A first attendance not registered by the deadline is overdue and shows so in the task list
    Given a serious outpatient referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Tuesday 2026-01-06 with right to care
    When it is Monday 2026-01-12
    Then the "first attendance (serious)" deadline is pending
    And the task list shows "first_attendance" due on Monday 2026-01-12, not overdue
    When it is Tuesday 2026-01-13
    Then the "first attendance (serious)" deadline is overdue
    And the task list shows "first_attendance" as overdue, due on Monday 2026-01-12

  Scenario Outline: A referral started without a severity is held to the strictest deadline, flagged as unconfirmed
    Given an outpatient referral to "eating_disorders_children" was received on Monday 2026-01-05
    Then the "first attendance (unclassified)" deadline is due on Monday 2026-01-12
    And the "first attendance (unclassified)" deadline is flagged as unconfirmed
    And there is no "first attendance (serious)" deadline
    And there is no "first attendance (less serious)" deadline
    When the referral was assessed on Tuesday 2026-01-06 with right to care
    And the patient attended for the first time on <attended>
    Then the "first attendance (unclassified)" deadline is <status>

    Examples:
      | attended           | status   |
      | Monday 2026-01-12  | met      |
      | Tuesday 2026-01-13 | breached |

  Scenario: The first attendance cannot be patient-deferred: the rule covers the assessment and the evaluations
    Given a less serious outpatient referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    Then registering patient-deferred on Thursday 2026-01-22 for 10 working days is refused with "no_deferrable_deadline"
    When the patient attended for the first time on Tuesday 2026-02-10
    Then the "first attendance (less serious)" deadline is due on Monday 2026-02-02
    And the "first attendance (less serious)" deadline is breached

  Scenario Outline: The pathway starts at the first attendance, under both rule sets
    Given a serious outpatient referral to "eating_disorders_children" was received on Monday 2026-01-05 under the <rules> rules
    When the referral was assessed on Tuesday 2026-01-06 with right to care
    Then the pathway has not started yet
    When the patient attended for the first time on Friday 2026-01-09
    Then the pathway started on Friday 2026-01-09
    And the "first attendance (serious)" deadline is met

    Examples:
      | rules |
      | 2019  |
      | 2024  |

  Scenario Outline: The referral is assessed within 10 working days
    Given a less serious outpatient referral to "eating_disorders_children" was received on Monday 2026-01-05
    When the referral was assessed on <assessed> with right to care
    Then the "referral assessment" deadline is due on Monday 2026-01-19
    And the "referral assessment" deadline is <status>
    And the task "first_attendance" is open

    Examples:
      | assessed           | status   |
      | Monday 2026-01-19  | met      |
      | Tuesday 2026-01-20 | breached |

  Scenario: A referral not assessed in time is escalated to the unit lead the day after the deadline
    Given a less serious outpatient referral to "eating_disorders_children" was received on Monday 2026-01-05
    When the scheduler runs on Monday 2026-01-19
    Then the task "follow_up_late_assessment" is not open
    When the scheduler runs on Tuesday 2026-01-20
    Then the "referral assessment" deadline is overdue
    And the task "follow_up_late_assessment" is open in the lane "Enhetsleder"
    And the task "assess_referral" is open

  Scenario: A referral without right to care ends the pathway before it starts
    Given a serious outpatient referral to "eating_disorders_children" was received on Monday 2026-01-05
    When the referral was assessed on Thursday 2026-01-08 with no right to care
    Then the pathway is completed
    And the pathway was closed on Thursday 2026-01-08
    And the pathway has not started yet
    And the "referral assessment" deadline is met
    And the "first attendance (serious)" deadline is cancelled
    And there is no "assessment" deadline
    And no task is open

  Scenario: From referral to closure with a written follow-up plan to the municipality
    Given a serious outpatient referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Tuesday 2026-01-06 with right to care
    And the patient attended for the first time on Friday 2026-01-09
    And somatic health and lifestyle were checked on Friday 2026-01-09
    When the clinical decision after basic assessment was "CP" on Monday 2026-02-02
    Then the "assessment" deadline is due on Friday 2026-02-20
    And the "assessment" deadline is met
    And the "first evaluation" deadline is due on Monday 2026-03-02
    When the treatment plan was made with the patient and the parents on Monday 2026-02-02
    And the treatment was evaluated with the patient on Monday 2026-02-23, continuing treatment
    And the treatment was evaluated with the patient on Monday 2026-03-30, deciding to close the pathway
    And the pathway was closed on Tuesday 2026-03-31 with a written follow-up plan to "Kari Nordmann, helsestasjon og skolehelsetjeneste" in the municipality
    Then the pathway is completed
    And the pathway was closed on Tuesday 2026-03-31
    And the pathway started on Friday 2026-01-09
    And the "referral assessment" deadline is met
    And the "first attendance (serious)" deadline is met
    And the "first evaluation" deadline is met
    And the "evaluation interval" deadline number 1 is due on Monday 2026-04-06
    And the "evaluation interval" deadline number 1 is met
    And the "evaluation interval" deadline number 2 is cancelled
    And the municipality was sent the follow-up plan naming "Kari Nordmann, helsestasjon og skolehelsetjeneste"
    And no task is open
