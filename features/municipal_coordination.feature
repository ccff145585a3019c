Feature: Municipal pathway coordination ("kommunal forløpskoordinering")
  The municipality's pathway coordinator, usually in the coordinating unit (koordinerende enhet, KE), is contacted
  by the specialist-care coordinator and then:
    1. informs, guides and advises the patient and relatives about the pathway;
    2. works with the specialist-care coordinator;
    3. makes the follow-up whole, from the patient's own goals, resources and needs;
    4. secures cooperation with other providers (NAV, housing, school or work);
    5. coordinates the services offered;
    6. calls and leads coordination meetings: individual plan (IP), responsibility group, crisis plan;
    7. follows up, evaluates and updates the individual plan;
    8. prepares municipal measures well before discharge.
  When specialist care closes its pathway with follow-up in the municipality, it sends the written follow-up plan
  (message "follow_up_plan"). The municipality checks that it has the written plan, a named responsible
  professional, that the patient knows where to turn, and the suicide and violence risk assessment.
  An inpatient ward's notices (admission, planned discharge-ready date, discharge-ready patient) reach this
  pathway too, and the municipality answers with its conditions for discharge: see inpatient_stay.feature.
  There are no national deadlines for the municipality, so this pathway measures no deadlines; it registers
  measuring points (individual plan established, responsibility group established, crisis plan made, follow-up
  plan received, ...).
  Sources: https://www.heim.kommune.no/pakkeforloep.560096.no.html ·
  https://www.helse-fonna.no/avdelinger/klinikk-for-psykisk-helsevern/pakkeforlop-psykisk-helsevern/ ·
  Kragerø kommune, Delplan for psykisk helse og rus 2019–2040, chapter 3.3.

  Scenario: From the first contact to closure, with the follow-up plan from specialist care (happy path)
    Given specialist care received an outpatient TSB referral for the same patient on Monday 2026-01-05
    And the TSB referral was assessed with right to care on Wednesday 2026-01-07
    And the specialist-care coordinator contacted the municipal coordinator on Thursday 2026-01-08 about a patient in outpatient care
    Then the task "inform_patient" is open in the lane "Forløpskoordinator"
    And the "coordination_requested" measuring point was registered on Thursday 2026-01-08
    When the coordinator registered "Informere, veilede og gi råd til pasient og pårørende om forløpet" on Friday 2026-01-09 with:
      | field              | value |
      | relatives_informed | true  |
    And the coordinator registered "Samarbeide med forløpskoordinator i spesialisthelsetjenesten" on Friday 2026-01-09 with:
      | field                  | value                   |
      | specialist_coordinator | Per Hansen, DPS rusteam |
    And the coordinator registered "Kartlegge pasientens mål, ressurser og behov" on Monday 2026-01-12 with:
      | field         | value                |
      | patient_goals | Egen bolig og arbeid |
    Then the task "secure_cooperation" is open
    And the task "receive_follow_up_plan" is not open
    When the coordinator registered "Sikre samhandling med NAV, bolig, skole og andre tjenesteytere" on Wednesday 2026-01-14 with:
      | field            | value |
      | nav_involved     | true  |
      | housing_involved | true  |
    And the coordinator registered "Samordne tjenestetilbudet i kommunen" on Wednesday 2026-01-14
    And the coordinator registered "Innkalle til og lede koordineringsmøte (IP, ansvarsgruppe, kriseplan)" on Monday 2026-01-19 with:
      | field                       | value |
      | individual_plan_needed      | true  |
      | responsibility_group_needed | true  |
      | crisis_plan_needed          | true  |
    Then the task "establish_individual_plan" is open
    And the task "establish_responsibility_group" is open
    And the task "make_crisis_plan" is open
    When the coordinator registered "Utarbeide individuell plan (IP) sammen med pasienten" on Monday 2026-01-26 with:
      | field         | value |
      | consent_given | true  |
    And the coordinator registered "Etablere ansvarsgruppe" on Monday 2026-01-26
    And the coordinator registered "Utarbeide kriseplan sammen med pasienten" on Tuesday 2026-01-27
    Then the "individual_plan_established" measuring point was registered on Monday 2026-01-26
    And the "responsibility_group_established" measuring point was registered on Monday 2026-01-26
    And the "crisis_plan_made" measuring point was registered on Tuesday 2026-01-27
    When specialist care started TSB treatment on Monday 2026-02-02
    And the coordinator registered "Følge opp, evaluere og oppdatere individuell plan" on Monday 2026-02-23 with outcome "continue"
    And the coordinator registered "Følge opp, evaluere og oppdatere individuell plan" on Monday 2026-03-23 with outcome "prepare_discharge"
    And the coordinator registered "Forberede kommunale tiltak i god tid før utskrivning" on Monday 2026-03-30 with:
      | field            | value |
      | housing_in_place | true  |
      | services_ready   | true  |
    Then the task "receive_follow_up_plan" is not open
    And the task "close_coordination" is not open
    When specialist care closed the TSB pathway on Tuesday 2026-03-31 after the last evaluation, with follow-up in the municipality
    Then the TSB pathway is completed
    And the municipal pathway received the follow-up plan that specialist care sent on Tuesday 2026-03-31
    And the "follow_up_plan_received" measuring point was registered on Tuesday 2026-03-31
    And the task "receive_follow_up_plan" is open in the lane "Forløpskoordinator"
    And the task "receive_follow_up_plan" shows the follow-up plan naming "Kari Nordmann, koordinerende enhet" as responsible in the municipality
    When the coordinator registered "Motta oppfølgingsplan og følge opp" on Wednesday 2026-04-01 with:
      | field                       | value                              |
      | written_plan_received       | true                               |
      | responsible_professional    | Kari Nordmann, koordinerende enhet |
      | patient_knows_where_to_turn | true                               |
      | risk_information_received   | true                               |
    Then the task "follow_up_missing_information" is not open
    And the task "close_coordination" is open
    When the coordinator registered "Avslutte forløpskoordineringen" on Wednesday 2026-04-08 with outcome "continued_follow_up"
    Then the pathway is completed
    And the pathway was closed on Wednesday 2026-04-08
    And the "closure" measuring point was registered on Wednesday 2026-04-08
    And no task is open
    And the municipal pathway has no deadline indicators

  Scenario Outline: The coordination meeting decides which instruments the patient gets
    Given the specialist-care coordinator contacted the municipal coordinator on Monday 2026-01-05 about a patient in inpatient care
    And the municipal coordinator informed the patient, contacted specialist care and mapped the patient's goals on Wednesday 2026-01-07
    And the municipal coordinator secured cooperation with NAV and housing and coordinated the services on Friday 2026-01-09
    When the coordinator registered "Innkalle til og lede koordineringsmøte (IP, ansvarsgruppe, kriseplan)" on Monday 2026-01-12 with:
      | field                       | value          |
      | individual_plan_needed      | <ip>           |
      | responsibility_group_needed | <group>        |
      | crisis_plan_needed          | <crisis_plan>  |
    Then the task "<open>" is open
    And the task "<not_open>" is not open
    And the "coordination_meeting" measuring point was registered on Monday 2026-01-12

    Examples:
      | ip    | group | crisis_plan | open                           | not_open                       |
      | true  | false | false       | establish_individual_plan      | establish_responsibility_group |
      | false | true  | true        | establish_responsibility_group | establish_individual_plan      |
      | false | false | true        | make_crisis_plan               | follow_up_individual_plan      |
      | false | false | false       | follow_up_individual_plan      | make_crisis_plan               |

  Scenario: A follow-up plan that lacks a closure requirement is followed up by the unit lead
    Given specialist care received an inpatient TSB referral for the same patient on Monday 2026-01-05
    And the TSB referral was assessed with right to care on Tuesday 2026-01-06
    And the specialist-care coordinator contacted the municipal coordinator on Wednesday 2026-01-07 about a patient in inpatient care
    And the municipal coordinator informed the patient, contacted specialist care and mapped the patient's goals on Friday 2026-01-09
    And the municipal coordinator secured cooperation with NAV and housing and coordinated the services on Monday 2026-01-12
    And the coordination meeting on Monday 2026-01-19 decided on no individual plan, responsibility group or crisis plan
    And specialist care started TSB treatment on Monday 2026-01-19
    And the municipal coordinator prepared the municipal measures for discharge on Monday 2026-02-16
    When specialist care closed the TSB pathway on Monday 2026-02-23 after the last evaluation, with follow-up in the municipality
    And the coordinator registered "Motta oppfølgingsplan og følge opp" on Tuesday 2026-02-24 with:
      | field                       | value                              |
      | written_plan_received       | true                               |
      | responsible_professional    | Kari Nordmann, koordinerende enhet |
      | patient_knows_where_to_turn | true                               |
      | risk_information_received   | false                              |
    Then the task "follow_up_missing_information" is open in the lane "Enhetsleder"
    And the task "close_coordination" is not open
    When the coordinator registered "Følge opp mangler ved overføringen fra spesialisthelsetjenesten" on Thursday 2026-02-26 with:
      | field              | value                                          |
      | missing            | Vurdering av selvmords- og voldsrisiko manglet |
      | deviation_reported | true                                           |
    Then the task "close_coordination" is open

  Scenario: A follow-up plan sent before the municipality waits for it is kept and received later
    Given specialist care received an outpatient TSB referral for the same patient on Monday 2026-01-05
    And the TSB referral was assessed with right to care on Wednesday 2026-01-07
    And specialist care started TSB treatment on Monday 2026-01-12
    And the specialist-care coordinator contacted the municipal coordinator on Monday 2026-01-26 about a patient in outpatient care
    When specialist care closed the TSB pathway on Monday 2026-02-02 after the last evaluation, with follow-up in the municipality
    Then the TSB pathway is completed
    And the follow-up plan is kept undelivered
    And the task "receive_follow_up_plan" is not open
    When the municipal coordinator informed the patient, contacted specialist care and mapped the patient's goals on Wednesday 2026-02-04
    Then the municipal pathway received the follow-up plan that specialist care sent on Monday 2026-02-02
    And the "follow_up_plan_received" measuring point was registered on Wednesday 2026-02-04
    And the task "receive_follow_up_plan" is open
    And the task "secure_cooperation" is open

  Scenario: Specialist care closing without follow-up in the municipality sends no follow-up plan
    Given specialist care received an outpatient TSB referral for the same patient on Monday 2026-01-05
    And the TSB referral was assessed with right to care on Wednesday 2026-01-07
    And the specialist-care coordinator contacted the municipal coordinator on Thursday 2026-01-08 about a patient in outpatient care
    And the municipal coordinator informed the patient, contacted specialist care and mapped the patient's goals on Monday 2026-01-12
    And specialist care started TSB treatment on Monday 2026-01-19
    When specialist care closed the TSB pathway on Monday 2026-03-02 after the last evaluation, with the outcome "contracted_specialist"
    Then the TSB pathway is completed
    And specialist care sent no follow-up plan
    And the task "receive_follow_up_plan" is not open
    And the "follow_up_plan_received" measuring point was not registered
    And the pathway is active

  Scenario: The coordinator ends the coordination without a hand-over, e.g. when the patient moves
    Given the specialist-care coordinator contacted the municipal coordinator on Monday 2026-01-05 about a patient in outpatient care
    And the municipal coordinator informed the patient, contacted specialist care and mapped the patient's goals on Wednesday 2026-01-07
    And the municipal coordinator secured cooperation with NAV and housing and coordinated the services on Friday 2026-01-09
    And the coordination meeting on Monday 2026-01-12 decided on no individual plan, responsibility group or crisis plan
    When the coordinator registered "Følge opp, evaluere og oppdatere individuell plan" on Monday 2026-02-09 with outcome "end_coordination"
    Then the task "close_coordination" is open
    When the coordinator registered "Avslutte forløpskoordineringen" on Monday 2026-02-09 with outcome "moved"
    Then the pathway is completed
    And the pathway was closed on Monday 2026-02-09
    And no task is open

  Scenario Outline: The municipal pathway starts when the specialist-care coordinator makes contact, under both rule sets
    Given the specialist-care coordinator contacted the municipal coordinator on Tuesday 2026-01-06 about a patient in <setting> care, under the <rules> rules
    Then the municipal pathway started on Tuesday 2026-01-06
    And the task "inform_patient" is open

    Examples:
      | setting    | rules |
      | outpatient | 2019  |
      | inpatient  | 2024  |
