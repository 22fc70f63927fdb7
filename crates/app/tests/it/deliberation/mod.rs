mod proposals;
mod votes;
