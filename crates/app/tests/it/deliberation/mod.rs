mod votes;
