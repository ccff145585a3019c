Feature: Main course 2 in the municipality: municipal treatment ("hovedforløp 2")
  Main course 2 of the national guide for municipal mental health and substance-use work for adults
  (https://www.helsedirektoratet.no/veiledere/psykisk-helse-og-rusarbeid-for-voksne): municipal treatment for short
  serious or long mild problems. It starts by a referral from the GP, or when main course 1 (low-threshold help)
  moves the person on (message "main_course_2_needed"). A mapping talk and a treatment plan made with the patient
  are followed by treatment with evaluations. When function falls, or the patient needs more than the municipality
  can give, the patient is referred on to specialist care: the adult mental health pathway (D11) or substance-use
  treatment (TSB, D01). The referral is a message ("referral_d11" / "referral_d01") that starts the specialist
  pathway at the unit it names, from the day the referral is received. Main course 2 goes on beside the specialist
  pathway until an evaluation closes it.

  Deadlines: none national. The first evaluation at the latest 6 weeks after the treatment plan is a local
  default, flagged UNCONFIRMED.

  Scenario: A GP referral, a treatment plan and two evaluations, after which the course is closed (happy path)
    Given main course 2 was started on Monday 2026-01-05 by a referral from the GP
    Then the task "mapping_talk" is open in the lane "Behandler i kommunen"
    And the "course_started" measuring point was registered on Monday 2026-01-05
    When a mapping talk was held and the treatment plan made with the patient on Monday 2026-01-12
    Then the task "evaluate_treatment" is open in the lane "Behandler i kommunen"
    And the "first evaluation" deadline is due on Monday 2026-02-23
    And the "first evaluation" deadline is flagged as unconfirmed
    When the treatment was evaluated with the patient on Monday 2026-02-16, continuing municipal treatment
    Then the "first evaluation" deadline is met
    And the task "evaluate_treatment" is open
    When the treatment was evaluated with the patient on Monday 2026-04-13, closing main course 2
    Then the task "close_course" is open in the lane "Forløpskoordinator"
    When the coordinator registered "Avslutte hovedforløp 2" on Tuesday 2026-04-14 with outcome "completed"
    Then the pathway is completed
    And the pathway was closed on Tuesday 2026-04-14
    And no task is open

  Scenario: A first evaluation later than 6 weeks after the treatment plan breaches the local deadline
    Given main course 2 was started on Monday 2026-01-05 by a referral from the GP
    And a mapping talk was held and the treatment plan made with the patient on Monday 2026-01-12
    When the treatment was evaluated with the patient on Tuesday 2026-02-24, continuing municipal treatment
    Then the "first evaluation" deadline is breached

  Scenario: When function falls, the evaluation leads to a referral to specialist care
    Given main course 2 was started on Monday 2026-01-05 by a referral from the GP
    And a mapping talk was held and the treatment plan made with the patient on Monday 2026-01-12
    When the treatment was evaluated with the patient on Monday 2026-02-16, as function falls
    Then the task "refer_to_specialist_care" is open in the lane "Behandler i kommunen"
    And the "evaluation" measuring point was registered on Monday 2026-02-16

  Scenario Outline: The referral starts the specialist pathway at the named unit, from the day the referral was received
    Given main course 2 was started on Monday 2026-01-05 by a referral from the GP
    And a mapping talk was held and the treatment plan made with the patient on Monday 2026-01-12
    And the treatment was evaluated with the patient on Monday 2026-02-16, as function falls
    When the patient was referred to "<pathway>" at "<unit>" (<setting>) on Tuesday 2026-02-17
    Then the "<pathway>" pathway runs at "<unit>" for the patient, <setting>, with the referral received on Tuesday 2026-02-17
    And in the "<pathway>" pathway the task "assess_referral" is open
    And in the "<pathway>" pathway the "referral assessment" deadline started on Tuesday 2026-02-17
    And in the "<pathway>" pathway the "referral assessment" deadline is due on Tuesday 2026-03-03
    And the "<pathway>" pathway shows it was started by the message from main course 2
    And main course 2 shows the message "<message>" as delivered to the "<pathway>" pathway
    And the "referred_to_specialist_care" measuring point was registered on Tuesday 2026-02-17
    And the task "evaluate_treatment" is open
    And the pathway is active

    Examples:
      | pathway | unit            | setting    | message      |
      | D11     | DPS Nord        | outpatient | referral_d11 |
      | D01     | Rusklinikken TSB | inpatient  | referral_d01 |

  Scenario: A patient who already has a D11 pathway keeps the referral, shown as not delivered
    Given the patient already has a D11 pathway at "DPS Sør" since Monday 2026-01-05
    And main course 2 was started on Monday 2026-01-05 by a referral from the GP
    And a mapping talk was held and the treatment plan made with the patient on Monday 2026-01-12
    And the treatment was evaluated with the patient on Monday 2026-02-16, as function falls
    When the patient was referred to "D11" at "DPS Nord" (outpatient) on Tuesday 2026-02-17
    Then the patient still has one D11 pathway, at "DPS Sør"
    And main course 2 shows the message "referral_d11" as not delivered
    And the task "evaluate_treatment" is open

  Scenario: After the referral, main course 2 is closed as followed up in specialist care
    Given main course 2 was started on Monday 2026-01-05 by a referral from the GP
    And a mapping talk was held and the treatment plan made with the patient on Monday 2026-01-12
    And the treatment was evaluated with the patient on Monday 2026-02-16, as function falls
    And the patient was referred to "D11" at "DPS Nord" (outpatient) on Tuesday 2026-02-17
    When the treatment was evaluated with the patient on Monday 2026-03-16, closing main course 2
    And the coordinator registered "Avslutte hovedforløp 2" on Monday 2026-03-16 with outcome "specialist_care"
    Then the pathway is completed
    And the "D11" pathway is still active
