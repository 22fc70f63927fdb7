mod flow;
mod indicators;
mod intake;
mod merge;
mod photos;
mod setup;
mod suggest;
mod whistle;
