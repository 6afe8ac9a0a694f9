"""The shipped demos: `sagsgang demo`, the minutes demo and the calendar feeds demo."""
