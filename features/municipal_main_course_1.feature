Feature: Main course 1 in the municipality: low-threshold help ("hovedforløp 1")
  Main course 1 of the national guide for municipal mental health and substance-use work for adults
  (https://www.helsedirektoratet.no/veiledere/psykisk-helse-og-rusarbeid-for-voksne): low-threshold help for mild,
  short problems, without referral and without waiting. The person gets in touch themselves (self-referral,
  drop-in); a short mapping talk settles the need; a few follow-up talks follow. After 5 talks the help is
  evaluated with the person. The course closes when the problems are better, or the person moves on to main
  course 2 (municipal treatment) when the problems are more than mild: the message "main_course_2_needed" starts
  main course 2 for the same person at the chosen service, linked to main course 1.

  Deadlines: none national. The mapping talk at the latest 5 working days after the first contact, and the
  evaluation after 5 follow-up talks, are local defaults, flagged UNCONFIRMED.

  Scenario: A self-referral, a mapping talk and two follow-up talks, after which the problems are better (happy path)
    Given a person got in touch with low-threshold help on Monday 2026-01-05, without a referral
    Then the task "mapping_talk" is open in the lane "Behandler i kommunen"
    And the "first_contact" measuring point was registered on Monday 2026-01-05
    And the "first talk" deadline is due on Monday 2026-01-12
    And the "first talk" deadline is flagged as unconfirmed
    When a short mapping talk was held on Wednesday 2026-01-07, offering low-threshold help
    Then the "first talk" deadline is met
    And the task "follow_up_talk" is open in the lane "Behandler i kommunen"
    When a follow-up talk was held on Wednesday 2026-01-14, continuing the talks
    Then the task "follow_up_talk" is open
    When a follow-up talk was held on Wednesday 2026-01-21, as the problems are better
    Then the task "close_course" is open in the lane "Forløpskoordinator"
    When the coordinator registered "Avslutte hovedforløp 1" on Wednesday 2026-01-21 with outcome "improved"
    Then the pathway is completed
    And the pathway was closed on Wednesday 2026-01-21
    And no task is open

  Scenario Outline: The mapping talk at the latest 5 working days after the first contact (unconfirmed local deadline)
    Given a person got in touch with low-threshold help on Monday 2026-01-05, without a referral
    When a short mapping talk was held on <held>, offering low-threshold help
    Then the "first talk" deadline is <status>

    Examples:
      | held               | status   |
      | Monday 2026-01-12  | met      |
      | Tuesday 2026-01-13 | breached |

  Scenario: After 5 follow-up talks the help is evaluated, and a few more talks may follow
    Given a person got in touch with low-threshold help on Monday 2026-01-05, without a referral
    And a short mapping talk was held on Wednesday 2026-01-07, offering low-threshold help
    When 4 follow-up talks were held by Wednesday 2026-02-04, continuing the talks
    Then the task "follow_up_talk" is open
    And the task "evaluate_help" is not open
    When a follow-up talk was held on Wednesday 2026-02-11, continuing the talks
    Then the task "evaluate_help" is open in the lane "Behandler i kommunen"
    And the "follow_up_talk" measuring point was registered 5 times
    When the help was evaluated with the person on Wednesday 2026-02-11, deciding on a few more talks
    Then the task "follow_up_talk" is open
    When 4 follow-up talks were held by Wednesday 2026-03-11, continuing the talks
    Then the task "evaluate_help" is not open
    When a follow-up talk was held on Wednesday 2026-03-18, continuing the talks
    Then the task "evaluate_help" is open
    And the "evaluation" measuring point was registered 1 times

  Scenario: A mapping talk that finds no need for more help closes the course
    Given a person got in touch with low-threshold help on Monday 2026-01-05, without a referral
    When a short mapping talk was held on Tuesday 2026-01-06, finding no need for more help
    Then the task "close_course" is open
    And the task "follow_up_talk" is not open

  Scenario: Problems more than mild move the person on to main course 2, started for the same person and linked
    Given a person got in touch with low-threshold help on Monday 2026-01-05, without a referral
    And a short mapping talk was held on Wednesday 2026-01-07, offering low-threshold help
    When a follow-up talk was held on Wednesday 2026-01-14, as the problems are more than mild
    Then the task "refer_to_main_course_2" is open in the lane "Behandler i kommunen"
    When the person was moved on to main course 2 at "Psykisk helsetjeneste, behandling" on Thursday 2026-01-15
    Then main course 2 runs at "Psykisk helsetjeneste, behandling" for the same person, started on Thursday 2026-01-15
    And in main course 2 the task "mapping_talk" is open
    And main course 2 shows it was started by the message from main course 1
    And main course 1 shows the message "main_course_2_needed" as delivered to main course 2
    And the "moved_to_main_course_2" measuring point was registered on Thursday 2026-01-15
    And the task "close_course" is open in the lane "Forløpskoordinator"
    When the coordinator registered "Avslutte hovedforløp 1" on Thursday 2026-01-15 with outcome "main_course_2"
    Then the pathway is completed
    And main course 2 is still active

  Scenario: A mapping talk that finds more than mild problems moves the person on to main course 2 at once
    Given a person got in touch with low-threshold help on Monday 2026-01-05, without a referral
    When a short mapping talk was held on Tuesday 2026-01-06, finding more than mild problems
    Then the task "refer_to_main_course_2" is open
    And the task "follow_up_talk" is not open
    When the person was moved on to main course 2 at "Psykisk helsetjeneste, behandling" on Wednesday 2026-01-07
    Then main course 2 runs at "Psykisk helsetjeneste, behandling" for the same person, started on Wednesday 2026-01-07

  Scenario: After the evaluation the person moves on to main course 2
    Given a person got in touch with low-threshold help on Monday 2026-01-05, without a referral
    And a short mapping talk was held on Wednesday 2026-01-07, offering low-threshold help
    And 5 follow-up talks were held by Wednesday 2026-02-11, continuing the talks
    When the help was evaluated with the person on Wednesday 2026-02-11, moving on to main course 2
    Then the task "refer_to_main_course_2" is open
