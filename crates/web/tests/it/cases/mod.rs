mod dashboard;
mod departments;
mod flow;
mod open311;
mod photos;
mod setup;
mod whistle;
