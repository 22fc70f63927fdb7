mod api;
mod pages;
