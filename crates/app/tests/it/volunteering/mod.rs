//! Volunteering on both databases.

mod activities;
mod orders;
mod wishes;
