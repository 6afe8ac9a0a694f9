"""What Sagsgang publishes: calendar feeds, timetables, agendas and minutes, case texts."""
