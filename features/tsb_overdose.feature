Feature: Acute treatment after an overdose ("akuttbehandling etter rusmiddeloverdose") and closure in TSB (D01)
  Acute treatment and follow-up after a drug overdose is a chapter of the TSB pathway from 1 January 2022, not a
  pathway of its own. When the referral is assessed, the coordinator marks it as "acute treatment after overdose".
  After the acute treatment the patient either goes on in the pathway at once, or is discharged with an "angrekort":
  the patient may come back within 48 hours without a new referral. A patient who comes back goes on to the first
  attendance and the ordinary assessment; the referral is not received or assessed again. When nobody came back, the
  return window closes and the pathway goes to closure.
  The pathway records dates, not times: the 48 hours after a discharge on day 0 end during day 2, so a return
  registered on day 2 is accepted, and the window closes when day 3 begins (the scheduler closes it on day 3).
  At closure with a need for follow-up, the written follow-up plan goes to the municipality, with the named
  professional, whether the GP/municipality was told of the suicide and violence risk assessment, and where the
  patient turns if problems come back; the last two are optional.

  Scenario: A referral assessed as acute treatment after an overdose goes to the acute unit
    Given an outpatient TSB referral was received on Monday 2026-01-05
    When the referral was assessed on Monday 2026-01-05 as acute treatment after an overdose
    Then the task "acute_overdose_treatment" is open in the lane "Akuttenhet TSB"
    And the task "first_attendance" is not open
    And the "referral assessment" deadline is met
    And the pathway is active

  Scenario Outline: The patient comes back within 48 hours and goes on to the assessment without a new referral
    Given an <setting> TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Monday 2026-01-05 as acute treatment after an overdose
    And the patient was treated acutely after the overdose on Monday 2026-01-05 and chose to be discharged
    When the patient was discharged after the overdose treatment on Tuesday 2026-01-06
    Then the task "overdose_return" is open in the lane "Akuttenhet TSB"
    And the measuring point "overdose_discharge" was registered on Tuesday 2026-01-06
    When the patient came back on <returned>
    Then the task "first_attendance" is open
    And the task "overdose_return" is not open
    And the task "close_pathway" is not open
    And the measuring point "overdose_return" was registered on <returned>
    And the referral was received and assessed only once
    When the scheduler runs on Friday 2026-01-09
    Then the task "first_attendance" is open
    And the task "close_pathway" is not open
    When the patient attended for the first time on Friday 2026-01-09
    And somatic health and lifestyle were checked on Friday 2026-01-09
    Then the "assessment" deadline started on Friday 2026-01-09
    And the "assessment" deadline is due on <assessment_due>
    And the pathway is active

    Examples:
      | setting    | returned              | assessment_due    |
      | outpatient | Tuesday 2026-01-06    | Friday 2026-01-30 |
      | outpatient | Wednesday 2026-01-07  | Friday 2026-01-30 |
      | outpatient | Thursday 2026-01-08   | Friday 2026-01-30 |
      | inpatient  | Thursday 2026-01-08   | Friday 2026-01-16 |

  Scenario: A patient who does not come back: the return window closes and the pathway goes to closure
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Monday 2026-01-05 as acute treatment after an overdose
    And the patient was treated acutely after the overdose on Monday 2026-01-05 and chose to be discharged
    And the patient was discharged after the overdose treatment on Tuesday 2026-01-06
    When the scheduler runs on Wednesday 2026-01-07
    Then the task "overdose_return" is open
    When the scheduler runs on Thursday 2026-01-08
    Then the task "overdose_return" is open
    And the task "close_pathway" is not open
    When the scheduler runs on Friday 2026-01-09
    Then the task "overdose_return" is not open
    And the task "first_attendance" is not open
    And the task "close_pathway" is open in the lane "Forløpskoordinator"
    And the pathway is active
    And there is no "assessment" deadline
    When the pathway was closed on Friday 2026-01-09 with a written follow-up plan to the municipality
    Then the pathway is completed
    And the pathway was closed on Friday 2026-01-09
    And the municipality was sent the follow-up plan:
      | field                   | value                                          |
      | municipal_contact       | Ola Nordmann, rus- og psykisk helsetjenesten   |
      | follow_up_plan_sent     | true                                           |
      | risk_information_shared | true                                           |
      | where_to_turn           | Lavterskeltilbudet og angrekortet til rusakutt |
    And no task is open

  Scenario: The patient goes on in the pathway straight after the acute treatment
    Given an inpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Monday 2026-01-05 as acute treatment after an overdose
    When the patient was treated acutely after the overdose on Tuesday 2026-01-06 and stayed for assessment in the pathway
    Then the task "first_attendance" is open
    And the task "overdose_discharge" is not open
    And the task "overdose_return" is not open
    And the measuring point "overdose_acute_treatment" was registered on Tuesday 2026-01-06
    When the patient attended for the first time on Wednesday 2026-01-07
    Then the "assessment" deadline is due on Wednesday 2026-01-14

  Scenario: An acute overdose referral without right to care is rejected like any other
    Given an outpatient TSB referral was received on Monday 2026-01-05
    When the coordinator registered "Vurdere henvisning" on Monday 2026-01-05 with:
      | field         | value            |
      | outcome       | no_right_to_care |
      | referral_type | acute_overdose   |
    Then the pathway is completed
    And no task is open

  Scenario: An ordinary referral, with or without the referral type, goes to the first attendance
    Given an outpatient TSB referral was received on Monday 2026-01-05
    When the coordinator registered "Vurdere henvisning" on Wednesday 2026-01-07 with:
      | field         | value         |
      | outcome       | right_to_care |
      | referral_type | ordinary      |
    Then the task "first_attendance" is open
    And the task "acute_overdose_treatment" is not open

  Scenario: Closure with follow-up in the municipality sends the follow-up plan, also without the optional fields
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CK" on Monday 2026-01-19
    When the coordinator registered "Avslutte pakkeforløpet" on Wednesday 2026-01-21 with:
      | field               | value                              |
      | outcome             | municipal_follow_up                |
      | follow_up_plan_sent | true                               |
      | municipal_contact   | Kari Nordmann, koordinerende enhet |
    Then the pathway is completed
    And the pathway was closed on Wednesday 2026-01-21
    And the municipality was sent the follow-up plan:
      | field                   | value                              |
      | municipal_contact       | Kari Nordmann, koordinerende enhet |
      | follow_up_plan_sent     | true                               |
      | risk_information_shared | -                                  |
      | where_to_turn           | -                                  |

  Scenario Outline: Closure without a need for follow-up sends no follow-up plan
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CS" on Monday 2026-01-19
    When the coordinator registered "Avslutte pakkeforløpet" on Wednesday 2026-01-21 with outcome "<outcome>"
    Then the pathway is completed
    And the pathway was closed on Wednesday 2026-01-21
    And no follow-up plan was sent to the municipality
    And no task is open

    Examples:
      | outcome               |
      | contracted_specialist |
      | other_trust           |
      | other                 |
