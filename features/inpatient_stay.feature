Feature: An inpatient stay and the discharge of a discharge-ready patient ("utskrivingsklar pasient")
  Specialist care decides when an inpatient is discharge-ready. The municipality hears of the admission, and of the
  planned discharge-ready date in advance, which opens the dialogue on the discharge date. The patient is
  discharge-ready when these are assessed and documented in the record:
    1. the problems stated at admission are clarified;
    2. other problems found during the stay are as a rule clarified;
    3. what is left open is explained;
    4. there is a clear position on diagnosis and further treatment, including the individual plan where relevant;
    5. function level, change since admission and expected development are assessed;
    6. specialist follow-up after discharge is arranged and described in the discharge summary;
    7. the individual plan is updated at discharge;
    8. the municipality is notified the same day the patient is discharge-ready.
  The first seven are a checklist that opens again until all are met; the eighth is the notice, measured by the
  deadline "discharge ready notice" (0 days). The municipality may set conditions before discharge (housing in
  place, services decided): the stay waits for its answer, and the coordinator is asked to call the municipality
  when no answer has come within 2 working days. The discharge summary goes to the GP; a planned readmission goes
  back to the preparation of the discharge.
  On the municipal side the admission notice starts the municipal coordination in the municipality named (or gives
  the one that runs a task), the planned date gives the task to prepare the municipal measures, and the
  discharge-ready notice the task to report the conditions, which opens again until both are in place.
  Source: the agreement between Helse Stavanger HF and its municipalities (November 2008), quoted in the NAPHA
  report of Høgskolen i Østfold's network "Mennesker med psykiske lidelser som har behov for omfattende tjenester".
  It is a local agreement, not a national rule: the same-day deadline and the 2 working days are flagged as
  unconfirmed configuration.

  Scenario: The admission is notified to the municipality the patient lives in
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    Then the pathway started on Monday 2026-03-02
    And the "admitted" measuring point was registered on Monday 2026-03-02
    And the task "notify_admission" is open in the lane "Forløpskoordinator"
    When the coordinator registered "Melde innleggelsen til kommunen" on Tuesday 2026-03-03 with:
      | field                 | value             |
      | municipal_unit        | Porsgrunn kommune |
      | municipal_coordinator | Kari Nordmann     |
    Then the "admission_notice_sent" measuring point was registered on Tuesday 2026-03-03
    And the "admission_notice" message to the municipality carries:
      | field                 | value                 |
      | unit                  | Porsgrunn kommune     |
      | municipal_coordinator | Kari Nordmann         |
      | specialist_unit       | DPS Nord døgnavdeling |
      | admitted_on           | 2026-03-02            |
      | notified_on           | 2026-03-03            |
    And the task "plan_discharge_ready_date" is open in the lane "Pasientansvarlig behandler"

  Scenario: The planned discharge-ready date is made known to the municipality in advance
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    When the coordinator registered "Fastsette planlagt dato for utskrivingsklar og melde den til kommunen" on Wednesday 2026-03-04 with:
      | field                      | value                   |
      | planned_discharge_ready_on | 2026-03-20              |
      | expected_municipal_needs   | Bolig med oppfølging    |
    Then the "discharge_ready_date_planned" measuring point was registered on Wednesday 2026-03-04
    And the "discharge_ready_date_planned" message to the municipality carries:
      | field                      | value                |
      | municipal_unit             | Porsgrunn kommune    |
      | planned_discharge_ready_on | 2026-03-20           |
      | planned_on                 | 2026-03-04           |
      | expected_municipal_needs   | Bolig med oppfølging |
    And the task "assess_discharge_readiness" is open in the lane "Pasientansvarlig behandler"

  Scenario Outline: The checklist opens again until all seven conditions are met
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    And the discharge-ready date was planned for Friday 2026-03-20 on Wednesday 2026-03-04
    When the discharge-ready conditions were assessed on Monday 2026-03-16 with "<condition>" not met
    Then the task "assess_discharge_readiness" is open
    And the task "notify_discharge_ready" is not open
    And the "discharge_ready" measuring point was not registered
    When all seven discharge-ready conditions were assessed as met on Friday 2026-03-20
    Then the "discharge_ready" measuring point was registered on Friday 2026-03-20
    And the "discharge_readiness_assessed" measuring point was registered 2 times
    And the task "assess_discharge_readiness" is not open
    And the task "notify_discharge_ready" is open in the lane "Forløpskoordinator"

    Examples:
      | condition                       |
      | admission_problems_clarified    |
      | other_problems_clarified        |
      | open_questions_explained        |
      | diagnosis_and_treatment_decided |
      | function_level_assessed         |
      | specialist_follow_up_arranged   |
      | individual_plan_updated         |

  Scenario: The municipality is notified the same day the patient is discharge-ready (deadline met)
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    And the discharge-ready date was planned for Friday 2026-03-20 on Wednesday 2026-03-04
    When all seven discharge-ready conditions were assessed as met on Friday 2026-03-20
    Then the "discharge ready notice" deadline is due on Friday 2026-03-20
    And the "discharge ready notice" deadline is flagged as unconfirmed
    When the municipality was notified that the patient is discharge-ready on Friday 2026-03-20
    Then the "discharge ready notice" deadline is met
    And the "discharge_ready_notice" message to the municipality carries:
      | field              | value             |
      | municipal_unit     | Porsgrunn kommune |
      | discharge_ready_on | 2026-03-20        |
      | notified_on        | 2026-03-20        |

  Scenario: A notice sent the day after the patient became discharge-ready breaches the deadline
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    And the discharge-ready date was planned for Friday 2026-03-20 on Wednesday 2026-03-04
    And all seven discharge-ready conditions were assessed as met on Thursday 2026-03-19
    When the scheduler runs on Friday 2026-03-20
    Then the "discharge ready notice" deadline is overdue
    And the task list shows "notify_discharge_ready" as overdue, due on Thursday 2026-03-19
    When the municipality was notified that the patient is discharge-ready on Friday 2026-03-20
    Then the "discharge ready notice" deadline is breached

  Scenario: The patient is not discharged before the municipality has housing and services in place
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    And the discharge-ready date was planned for Friday 2026-03-20 on Wednesday 2026-03-04
    And all seven discharge-ready conditions were assessed as met on Monday 2026-03-16
    When the municipality was notified that the patient is discharge-ready on Monday 2026-03-16
    Then the pathway waits for the municipality's conditions for discharge
    And the task "discharge_patient" is not open
    When the municipality answered on Tuesday 2026-03-17 that services are decided but housing is not in place yet
    Then the "municipal_conditions_received" measuring point was registered on Tuesday 2026-03-17
    And the pathway waits for the municipality's conditions for discharge
    And the task "discharge_patient" is not open
    When the municipality answered on Monday 2026-03-23 that housing is in place and services are decided
    Then the "municipal_conditions_received" measuring point was registered 2 times
    And the pathway no longer waits for the municipality's conditions for discharge
    And the task "discharge_patient" is open in the lane "Pasientansvarlig behandler"

  Scenario: No answer from the municipality within 2 working days gives the coordinator a task to call
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    And the discharge-ready date was planned for Wednesday 2026-03-18 on Wednesday 2026-03-04
    And all seven discharge-ready conditions were assessed as met on Wednesday 2026-03-18
    And the municipality was notified that the patient is discharge-ready on Wednesday 2026-03-18
    When the scheduler runs on Friday 2026-03-20
    Then the task "call_municipality" is not open
    When the scheduler runs on Saturday 2026-03-21
    Then the task "call_municipality" is open in the lane "Forløpskoordinator"
    And the pathway waits for the municipality's conditions for discharge
    When the coordinator registered "Ringe kommunen om vilkårene for utskriving" on Monday 2026-03-23 with:
      | field              | value                                |
      | contacted_person   | Kari Nordmann, koordinerende enhet   |
      | answer_expected_on | 2026-03-25                           |
    Then the "municipality_called" measuring point was registered on Monday 2026-03-23
    And the task "discharge_patient" is not open
    When the municipality answered on Wednesday 2026-03-25 that housing is in place and services are decided
    Then the task "discharge_patient" is open

  Scenario: An answer from the municipality in time gives no call task
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    And the discharge-ready date was planned for Wednesday 2026-03-18 on Wednesday 2026-03-04
    And all seven discharge-ready conditions were assessed as met on Wednesday 2026-03-18
    And the municipality was notified that the patient is discharge-ready on Wednesday 2026-03-18
    When the municipality answered on Friday 2026-03-20 that housing is in place and services are decided
    And the scheduler runs on Monday 2026-03-23
    Then the task "call_municipality" is not open
    And the task "discharge_patient" is open

  Scenario: The discharge summary goes to the GP, and the stay is closed
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    And the discharge-ready date was planned for Friday 2026-03-20 on Wednesday 2026-03-04
    And all seven discharge-ready conditions were assessed as met on Friday 2026-03-20
    And the municipality was notified that the patient is discharge-ready on Friday 2026-03-20
    And the municipality answered on Monday 2026-03-23 that housing is in place and services are decided
    When the patient was discharged on Tuesday 2026-03-24 with no readmission planned
    Then the "discharged" measuring point was registered on Tuesday 2026-03-24
    And the task "send_discharge_summary" is open in the lane "Pasientansvarlig behandler"
    When the coordinator registered "Sende epikrisen til fastlegen" on Tuesday 2026-03-24 with:
      | field                    | value              |
      | general_practitioner     | Fastlege Ola Lege  |
      | follow_up_plan_described | true               |
    Then the "discharge_summary_sent" measuring point was registered on Tuesday 2026-03-24
    And the task "close_stay" is open in the lane "Forløpskoordinator"
    When the coordinator registered "Avslutte døgnoppholdet" on Tuesday 2026-03-24 with outcome "municipal_follow_up"
    Then the pathway is completed
    And the pathway was closed on Tuesday 2026-03-24
    And no task is open

  Scenario: A planned readmission goes back to the preparation of the discharge, and each stay is measured
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    And the discharge-ready date was planned for Friday 2026-03-20 on Wednesday 2026-03-04
    And all seven discharge-ready conditions were assessed as met on Friday 2026-03-20
    And the municipality was notified that the patient is discharge-ready on Friday 2026-03-20
    And the municipality answered on Monday 2026-03-23 that housing is in place and services are decided
    And the patient was discharged on Tuesday 2026-03-24 with a readmission planned for Monday 2026-04-13
    And the discharge summary was sent to the GP on Tuesday 2026-03-24
    Then the task "register_readmission" is open in the lane "Forløpskoordinator"
    And the task "close_stay" is not open
    When the coordinator registered "Registrere planlagt reinnleggelse" on Monday 2026-04-13 with outcome "readmitted"
    Then the task "notify_admission" is open
    When the admission was notified to "Porsgrunn kommune" on Monday 2026-04-13
    Then the "admission_notice" message number 2 to the municipality carries:
      | field       | value             |
      | unit        | Porsgrunn kommune |
      | admitted_on | 2026-04-13        |
    When the discharge-ready date was planned for Friday 2026-04-24 on Tuesday 2026-04-14
    And all seven discharge-ready conditions were assessed as met on Friday 2026-04-24
    And the municipality was notified that the patient is discharge-ready on Monday 2026-04-27
    Then the "discharge ready notice" deadline has been measured 2 times
    And the "discharge ready notice" deadline number 1 is met
    And the "discharge ready notice" deadline number 2 is breached

  Scenario: A planned readmission that does not happen closes the stay
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    And the discharge-ready date was planned for Friday 2026-03-20 on Wednesday 2026-03-04
    And all seven discharge-ready conditions were assessed as met on Friday 2026-03-20
    And the municipality was notified that the patient is discharge-ready on Friday 2026-03-20
    And the municipality answered on Monday 2026-03-23 that housing is in place and services are decided
    And the patient was discharged on Tuesday 2026-03-24 with a readmission planned for Monday 2026-04-13
    And the discharge summary was sent to the GP on Tuesday 2026-03-24
    When the coordinator registered "Registrere planlagt reinnleggelse" on Monday 2026-04-13 with outcome "cancelled"
    Then the task "close_stay" is open
    And the task "notify_admission" is not open

  Scenario: The catalogue shows the local agreement's values as unconfirmed configuration
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    Then the pathway has no type code
    And the pathway catalogue flags "localAgreement" as unconfirmed
    And the pathway catalogue lists these deadlines:
      | key                    | from            | to                          | limit | unit          | unconfirmed |
      | discharge_ready_notice | discharge_ready | discharge_ready_notice_sent | 0     | calendar_days | yes         |
    And the timer "timer_municipal_conditions" is flagged as unconfirmed configuration

  Scenario: The admission notice starts the municipal coordination in the municipality named
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    When the admission was notified to "Porsgrunn kommune" on Tuesday 2026-03-03
    Then the municipal coordination runs in "Porsgrunn kommune", started on Tuesday 2026-03-03, in inpatient care
    And on the municipal side the task "inform_patient" is open in the lane "Forløpskoordinator"
    And the municipal coordination was started by the admission notice, linked to the stay
    And the municipal coordination has the admission notice saying the patient was admitted on Monday 2026-03-02

  Scenario: A municipal coordination that already runs is told of the admission and gets a task
    Given the municipality "Porsgrunn kommune" already coordinates for the patient since Monday 2026-02-02
    And the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    When the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    Then the patient has one municipal coordination
    And on the municipal side the task "register_admission_notice" is open in the lane "Forløpskoordinator"
    And the municipal coordination was linked by the admission notice to the stay
    When the municipal coordinator registered the admission on Tuesday 2026-03-03
    Then on the municipal side the "admission_notice_received" measuring point was registered on Tuesday 2026-03-03

  Scenario: The municipality prepares its measures, answers the discharge-ready notice and the patient is discharged
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    When the discharge-ready date was planned for Friday 2026-03-20 on Wednesday 2026-03-04
    Then on the municipal side the task "prepare_measures_before_discharge" is open in the lane "Forløpskoordinator"
    And on the municipal side the task "report_municipal_conditions" is not open
    When the municipal coordinator prepared the measures before discharge on Thursday 2026-03-05
    And all seven discharge-ready conditions were assessed as met on Friday 2026-03-20
    And the municipality was notified that the patient is discharge-ready on Friday 2026-03-20
    Then the "discharge ready notice" deadline is met
    And on the municipal side the task "report_municipal_conditions" is open in the lane "Forløpskoordinator"
    When the municipal coordinator reported on Monday 2026-03-23 that services are decided but housing is not in place yet
    Then on the municipal side the task "report_municipal_conditions" is open
    And the pathway waits for the municipality's conditions for discharge
    And the task "discharge_patient" is not open
    When the municipal coordinator reported on Tuesday 2026-03-24 that housing is in place and services are decided
    Then on the municipal side the task "report_municipal_conditions" is not open
    And the "municipal_conditions_received" measuring point was registered on Tuesday 2026-03-24
    And the task "discharge_patient" is open
    When the scheduler runs on Wednesday 2026-03-25
    Then the task "call_municipality" is not open

  Scenario: The coordinator registers on the timeline that the municipality confirmed its conditions by phone
    Given the patient was admitted to "DPS Nord døgnavdeling" on Monday 2026-03-02
    And the admission was notified to "Porsgrunn kommune" on Monday 2026-03-02
    And the discharge-ready date was planned for Wednesday 2026-03-18 on Wednesday 2026-03-04
    And all seven discharge-ready conditions were assessed as met on Wednesday 2026-03-18
    And the municipality was notified that the patient is discharge-ready on Wednesday 2026-03-18
    When the coordinator registered on Friday 2026-03-20 on the timeline that the municipality's conditions are received
    Then the "municipal_conditions_received" measuring point was registered on Friday 2026-03-20
    And the task "discharge_patient" is open
