mod grid_codes;
mod places;
mod regions;
