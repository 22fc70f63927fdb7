mod admin;
mod api;
mod pages;
