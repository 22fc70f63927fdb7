mod care_cards;
mod hostile_files;
mod import;
mod pipl;
mod residents;
mod xlsx_fuzz;
