Feature: Pregnant women using substances: referral, where the problem was first found, and the start of the pathway
  "Pakkeforløp gravide og rusmidler". Deadlines in calendar days (Helsedirektoratet, kartlegging og utredning,
  gravide og rusmidler: https://www.helsedirektoratet.no/pakkeforlop/gravide-og-rusmidler/kartlegging-og-utredning):
    first attendance → clinical decision:        outpatient 7, inpatient 3–7 (modelled as 7, flagged unconfirmed)
    completed detoxification → next treatment:   outpatient 0, inpatient 0 (the same day)
    clinical decision → first evaluation:        outpatient 14, inpatient 7
    between evaluations:                         outpatient 42, inpatient 42
  As in every pathway, the referral is assessed within 10 working days (pasient- og brukerrettighetsloven § 2-2).
  The pathway can start in the municipality or in specialist care, wherever the problem is found first; the
  specialist-care coordinator records which when assessing the referral. Under the 2019 rules the pathway starts
  when the referral is received, under the revised 2024 rules when it is assessed with a right to care.

  Scenario Outline: The referral assessment records where the substance use was first found
    Given an outpatient referral to "pregnant_women_substances" was received on Monday 2026-01-05
    When the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in <place>
    Then the pathway records that the substance use was first found in <place>
    And the task "first_attendance" is open

    Examples:
      | place             |
      | the municipality  |
      | specialist care   |

  Scenario: The referral cannot be assessed without saying where the substance use was first found
    Given an outpatient referral to "pregnant_women_substances" was received on Monday 2026-01-05
    When the coordinator tries to assess the referral on Wednesday 2026-01-07 with right to care, without saying where the substance use was first found
    Then the assessment is refused because "first_identified_in" is required
    And the task "assess_referral" is open
    And the "referral assessment" deadline is pending

  Scenario Outline: The referral is assessed within 10 working days
    Given an <setting> referral to "pregnant_women_substances" was received on Monday 2026-01-05
    When the referral was assessed on <assessed> with right to care, the substance use first found in the municipality
    Then the "referral assessment" deadline is due on Monday 2026-01-19
    And the "referral assessment" deadline ended on <assessed>
    And the "referral assessment" deadline is <status>

    Examples:
      | setting    | assessed           | status   |
      | outpatient | Monday 2026-01-19  | met      |
      | outpatient | Tuesday 2026-01-20 | breached |
      | inpatient  | Monday 2026-01-19  | met      |
      | inpatient  | Tuesday 2026-01-20 | breached |

  Scenario: A referral not assessed in time is escalated to the unit lead the day after the deadline
    Given an outpatient referral to "pregnant_women_substances" was received on Monday 2026-01-05
    When the scheduler runs on Monday 2026-01-19
    Then the task "follow_up_late_assessment" is not open
    When the scheduler runs on Tuesday 2026-01-20
    Then the "referral assessment" deadline is overdue
    And the task "follow_up_late_assessment" is open in the lane "Enhetsleder"
    And the task "assess_referral" is open

  Scenario Outline: The pathway's start date depends on the rule set
    Given an outpatient referral to "pregnant_women_substances" was received on Monday 2026-01-05 under the <rules> rules
    When the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in specialist care
    Then the pathway started on <started>

    Examples:
      | rules | started              |
      | 2019  | Monday 2026-01-05    |
      | 2024  | Wednesday 2026-01-07 |

  Scenario: Under the 2024 rules a referral without right to care never starts the pathway
    Given an outpatient referral to "pregnant_women_substances" was received on Monday 2026-01-05 under the 2024 rules
    When the referral was assessed on Thursday 2026-01-08 with no right to care, the substance use first found in the municipality
    Then the pathway is completed
    And the pathway has not started yet

  Scenario: A referral without right to care ends the pathway
    Given an outpatient referral to "pregnant_women_substances" was received on Monday 2026-01-05
    When the referral was assessed on Thursday 2026-01-08 with no right to care, the substance use first found in the municipality
    Then the pathway is completed
    And the pathway was closed on Thursday 2026-01-08
    And the "referral assessment" deadline is met
    And the pathway records that the substance use was first found in the municipality
    And there is no "assessment" deadline
    And no task is open

  Scenario: From referral to closure, through detoxification, with a written follow-up plan to the municipality
    Given an outpatient referral to "pregnant_women_substances" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care, the substance use first found in the municipality
    And the patient attended for the first time on Monday 2026-01-12, in week 14 of the pregnancy
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CT" on Friday 2026-01-16
    Then the "assessment" deadline is due on Monday 2026-01-19
    And the "assessment" deadline is met
    And the "assessment" deadline is not flagged
    And the "first evaluation" deadline is due on Friday 2026-01-30
    When the treatment plan was made together with the patient on Friday 2026-01-16, starting with detoxification
    And detoxification was completed on Thursday 2026-01-22
    And treatment started on Thursday 2026-01-22
    And the treatment was evaluated with the patient on Friday 2026-01-30, continuing treatment
    And the treatment was evaluated with the patient on Friday 2026-03-13, deciding to close the pathway
    And the pathway was closed on Monday 2026-03-16 with a written follow-up plan to "Ola Nordmann, jordmor i kommunen" in the municipality
    Then the pathway is completed
    And the pathway was closed on Monday 2026-03-16
    And the pathway started on Monday 2026-01-05
    And the "referral assessment" deadline is met
    And the "detoxification to treatment" deadline is met
    And the "first evaluation" deadline is met
    And the "evaluation interval" deadline number 1 is due on Friday 2026-03-13
    And the "evaluation interval" deadline number 1 is met
    And the "evaluation interval" deadline number 2 is cancelled
    And the municipality was sent the follow-up plan naming "Ola Nordmann, jordmor i kommunen"
    And no task is open
