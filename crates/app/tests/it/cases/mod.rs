mod flow;
mod indicators;
mod intake;
mod photos;
mod setup;
mod suggest;
mod whistle;
