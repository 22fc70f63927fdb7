mod admin;
mod api;
mod csrf;
mod pages;
