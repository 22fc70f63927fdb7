mod dashboard;
mod departments;
mod flow;
mod open311;
mod photos;
mod resident_view;
mod setup;
mod whistle;
