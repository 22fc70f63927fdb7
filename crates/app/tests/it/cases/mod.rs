mod flow;
mod intake;
mod photos;
mod setup;
mod suggest;
mod whistle;
